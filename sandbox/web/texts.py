"""The page's own words (its frame, not the bot's messages), in French and in English."""

from __future__ import annotations

from typing import Literal

PageLanguage = Literal["fr", "en"]
LANGUAGES: tuple[PageLanguage, ...] = ("fr", "en")

TEXTS: dict[str, dict[PageLanguage, str]] = {
    "banner": {
        "fr": "Bac à sable local : le vrai bot sur une copie de Discord, accessible depuis cet ordinateur "
        "seulement (127.0.0.1). Rien n'est envoyé à Discord.",
        "en": "Local sandbox: the real bot on a stand-in for Discord, reachable from this computer only "
        "(127.0.0.1). Nothing is sent to Discord.",
    },
    "acting_as": {"fr": "Vous êtes", "en": "You are"},
    "language": {"fr": "Langue", "en": "Language"},
    "moderator": {"fr": "modération", "en": "moderator"},
    "student": {"fr": "étudiant·e", "en": "student"},
    "channels": {"fr": "Salons", "en": "Channels"},
    "clock": {"fr": "Horloge du bot", "en": "Bot clock"},
    "next_post": {"fr": "Prochaine étude", "en": "Next case study"},
    "next_digest": {"fr": "Prochain briefing", "en": "Next digest"},
    "not_scheduled": {"fr": "pas prévu", "en": "not scheduled"},
    "fast_forward": {"fr": "Avance rapide", "en": "Fast-forward"},
    "ff_casestudy": {"fr": "⏩ à la prochaine étude", "en": "⏩ to the next case study"},
    "ff_digest": {"fr": "⏩ au prochain briefing", "en": "⏩ to the next digest"},
    "ff_none": {
        "fr": "Rien de prévu : lancez d'abord /veille setup.",
        "en": "Nothing scheduled: run /veille setup first.",
    },
    "bot_starting": {"fr": "Le bot démarre…", "en": "The bot is starting…"},
    "command": {"fr": "Commande", "en": "Command"},
    "send": {"fr": "Envoyer", "en": "Send"},
    "say_placeholder": {"fr": "Écrire dans", "en": "Message"},
    "no_commands": {"fr": "Aucune commande publiée pour l'instant.", "en": "No command published yet."},
    "only_you": {"fr": "Vous seul·e pouvez voir ce message", "en": "Only you can see this"},
    "thinking": {"fr": "réfléchit…", "en": "is thinking…"},
    "edited": {"fr": "(modifié)", "en": "(edited)"},
    "messages": {"fr": "messages", "en": "messages"},
    "thread": {"fr": "Fil", "en": "Thread"},
    "back_to": {"fr": "Retour à", "en": "Back to"},
    "empty_channel": {"fr": "Aucun message pour l'instant.", "en": "No message yet."},
    "react": {"fr": "Réagir", "en": "React"},
    "cancel": {"fr": "Annuler", "en": "Cancel"},
    "submit": {"fr": "Envoyer", "en": "Submit"},
    "no_answer": {
        "fr": "L'application n'a pas répondu (10 s).",
        "en": "The application did not respond (10 s).",
    },
    "refused": {"fr": "Discord refuserait :", "en": "Discord would refuse:"},
    "optional": {"fr": "facultatif", "en": "optional"},
    "yes": {"fr": "oui", "en": "yes"},
    "no": {"fr": "non", "en": "no"},
    "choose": {"fr": "Choisir…", "en": "Choose…"},
    "file": {"fr": "Fichier", "en": "File"},
    "bot_tag": {"fr": "APPLI", "en": "APP"},
}


def texts(language: PageLanguage) -> dict[str, str]:
    return {key: by_language[language] for key, by_language in TEXTS.items()}
