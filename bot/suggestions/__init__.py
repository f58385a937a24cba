"""Students' suggestions: feeds and articles to watch, topics to discuss, and their votes."""
