"""The Discord adapter: discord.py cogs that turn interactions into core calls and results into embeds."""
