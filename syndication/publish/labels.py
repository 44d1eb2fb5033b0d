"""The words of the page around the journalism, in each edition's language.

Templates write the English text, `{{ _("More on this topic") }}`; an edition whose language
has a catalogue here gets its own words, any other gets the English. Month names are here too,
since the C library's locale (strftime %B) is not something a server should depend on.
"""

from __future__ import annotations

from collections.abc import Callable

ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_FRENCH_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]

_CATALOGUES: dict[str, dict[str, str]] = {
    "fr": {
        "Search": "Rechercher",
        "Sections": "Rubriques",
        "Search the archive": "Rechercher dans les archives",
        "Change Edition": "Changer d’édition",
        "Preview: this story is not published. Readers do not see this page.": (
            "Aperçu : cet article n’est pas publié. Les lecteurs ne voient pas cette page."
        ),
        "By": "Par",
        "From our online archive": "Issu de nos archives en ligne",
        "Photo credit": "Crédit photo",
        "Corrections": "Rectificatifs",
        "Topics": "Thèmes",
        "More on this topic": "Plus sur ce thème",
        "Preview: this story in feeds": "Aperçu : cet article dans les flux",
        "As feed readers and partners will receive it, in Atom, RSS and JSON Feed.": (
            "Tel que les lecteurs de flux et les partenaires le recevront, en Atom, RSS et "
            "JSON Feed."
        ),
        "Latest from {site}": "Les dernières nouvelles de {site}",
        "Nothing has been published in this edition yet.": (
            "Rien n’a encore été publié dans cette édition."
        ),
        "Nothing has been published here yet.": "Rien n’a encore été publié ici.",
        "page {number}": "page {number}",
        "Pages": "Pages",
        "Years": "Années",
        "Newer": "Plus récents",
        "Older": "Plus anciens",
        "Better matches": "Meilleurs résultats",
        "More results": "Plus de résultats",
        "Nothing in the archive matches “{query}”. Try fewer or different words.": (
            "Rien dans les archives ne correspond à « {query} ». "
            "Essayez avec moins de mots ou d’autres mots."
        ),
        "Type one or more words to search for; punctuation and symbols are ignored.": (
            "Tapez un ou plusieurs mots à rechercher ; la ponctuation et les symboles sont ignorés."
        ),
        "Articles by {name}": "Articles de {name}",
        "Section": "Rubrique",
        "All sections": "Toutes les rubriques",
        "From": "Du",
        "To": "Au",
        "YYYY-MM-DD": "AAAA-MM-JJ",
        "Top stories": "À la une",
        "Did you mean:": "Vouliez-vous dire\u202f:",
        (
            "“Quotes” find a phrase, OR finds either word, a minus (-word) leaves a word out, "
            "and an asterisk (harb*) finds words that begin so."
        ): (
            "Les « guillemets » cherchent une expression, OR l’un ou l’autre mot, un moins (-mot) "
            "écarte un mot, et un astérisque (port*) les mots qui commencent ainsi."
        ),
        "Go to the front page": "Aller à la une",
        "an archive of original reporting": "des archives de journalisme original",
        "{site}: the latest news, and an archive of original reporting": (
            "{site}\u202f: l’actualité, et des archives de journalisme original"
        ),
        "{title}: the latest stories from {site}": "{title}\u202f: les derniers articles de {site}",
        "Follow by feed": "Suivre par flux",
        "Archive by date": "Archives par date",
        "All feeds": "Tous les flux",
        "Feeds": "Flux",
        "Everything": "Toute l’édition",
        "Authors": "Auteurs",
        "Every feed (OPML)": "Tous les flux (OPML)",
        "Every feed of this edition, as one OPML file": (
            "Tous les flux de cette édition, en un fichier OPML"
        ),
        "{site} ({edition}): every feed": "{site} ({edition})\u202f: tous les flux",
        (
            "Every feed of {site}: follow the whole edition, a section, a topic or an author "
            "in a feed reader."
        ): (
            "Tous les flux de {site}\u202f: suivez toute l’édition, une rubrique, un thème ou "
            "un auteur dans un lecteur de flux."
        ),
        (
            "Follow the whole edition, a section, a topic or an author in a feed reader: copy "
            "a feed’s address into it, or import every feed at once."
        ): (
            "Suivez toute l’édition, une rubrique, un thème ou un auteur dans un lecteur de "
            "flux\u202f: copiez-y l’adresse d’un flux, ou importez tous les flux d’un coup."
        ),
        # newsletters
        "Newsletters": "Lettres d’information",
        "Breaking news": "Alerte info",
        "Breaking news, as it happens": "Alertes info, dès qu’elles tombent",
        "Digest at {time}": "L’essentiel de {time}",
        "{name}, {time}": "{name}, {time}",
        "{name}: daily at {time}": "{name}\u202f: chaque jour à {time}",
        "{name} by e-mail, daily at {time}": "{name} par e-mail, chaque jour à {time}",
        "Our stories by e-mail: choose what you want, and when.": (
            "Nos articles par e-mail\u202f: choisissez lesquels, et quand."
        ),
        "Your e-mail address": "Votre adresse e-mail",
        "Subscribe": "S’abonner",
        "Every newsletter": "Toutes les lettres",
        "Check your inbox": "Consultez votre boîte de réception",
        (
            "If that address can receive our newsletters, a mail is on its way to it with "
            "a link to confirm. Nothing is sent before you follow it."
        ): (
            "Si cette adresse peut recevoir nos lettres, un e-mail lui est envoyé avec un lien "
            "de confirmation. Rien n’est envoyé avant que vous ne le suiviez."
        ),
        "That is not an e-mail address we can send to. Check it and try again.": (
            "Ce n’est pas une adresse e-mail à laquelle nous pouvons écrire. Vérifiez-la et "
            "réessayez."
        ),
        "Too many sign-ups": "Trop d’inscriptions",
        "Wait a minute, then try again.": "Attendez une minute, puis réessayez.",
        "Confirm your newsletters from {site}": "Confirmez vos lettres de {site}",
        (
            "Someone, perhaps you, asked for newsletters of {site} at this address.\n\n"
            "To receive them, confirm within {hours} hours:\n{link}\n\n"
            "If it was not you, do nothing: no newsletter is sent without this "
            "confirmation, and this is the only mail you will get."
        ): (
            "Quelqu’un, peut-être vous, a demandé les lettres de {site} à cette adresse.\n\n"
            "Pour les recevoir, confirmez dans les {hours} heures\u202f:\n{link}\n\n"
            "Si ce n’était pas vous, ne faites rien\u202f: aucune lettre n’est envoyée sans "
            "cette confirmation, et vous ne recevrez pas d’autre e-mail."
        ),
        "Confirm your newsletters": "Confirmez vos lettres",
        "One more step: confirm that you want the newsletters you asked for.": (
            "Une dernière étape\u202f: confirmez que vous voulez les lettres demandées."
        ),
        "Confirm": "Confirmer",
        "You are subscribed": "Vous êtes abonné",
        "Your newsletters start with the next one of each list you chose.": (
            "Vos lettres commencent avec le prochain envoi de chacune."
        ),
        "Your newsletters": "Vos lettres",
        "This link does not work": "Ce lien ne fonctionne pas",
        "This sign-up is no longer open; sign up again.": (
            "Cette inscription n’est plus ouverte\u202f; inscrivez-vous à nouveau."
        ),
        "No newsletters": "Aucune lettre",
        "We keep nothing about you.": "Nous ne conservons rien à votre sujet.",
        "Unsubscribe": "Se désabonner",
        "Stop this newsletter?": "Arrêter cette lettre\u202f?",
        "Stop every newsletter?": "Arrêter toutes les lettres\u202f?",
        "You are unsubscribed": "Vous êtes désabonné",
        "No more of it will be sent to you.": "Vous ne la recevrez plus.",
        "Choose the newsletters you receive.": "Choisissez les lettres que vous recevez.",
        "Save": "Enregistrer",
        "Saved.": "Enregistré.",
        "Download everything we keep about you (JSON)": (
            "Télécharger tout ce que nous conservons à votre sujet (JSON)"
        ),
        "Delete everything we keep about you, and stop every newsletter.": (
            "Effacer tout ce que nous conservons à votre sujet, et arrêter toutes les lettres."
        ),
        "Delete": "Effacer",
        "{count} more stories: read the whole digest on the web": (
            "{count} autres articles\u202f: lisez toute la lettre sur le web"
        ),
        "Read this digest on the web": "Lire cette lettre sur le web",
        "This is the web copy of a newsletter of {site}.": (
            "Ceci est la copie web d’une lettre de {site}."
        ),
        "You receive this because you subscribed to it on {site}.": (
            "Vous recevez cette lettre parce que vous vous y êtes abonné sur {site}."
        ),
        **dict(zip(ENGLISH_MONTHS, _FRENCH_MONTHS, strict=True)),
        "{label}:": "{label}\u202f:",  # French sets a narrow no-break space before a colon
    },
}


def translator(language: str) -> Callable[..., str]:
    """`_(text, **values)`: the edition's wording of `text`, with `{name}` fields filled."""
    catalogue = _CATALOGUES.get(language.split("-")[0], {})

    def _(text: str, **values: object) -> str:
        wording = catalogue.get(text, text)
        return wording.format(**values) if values else wording

    return _


def month_name(month: int, language: str) -> str:
    """January is 1."""
    return translator(language)(ENGLISH_MONTHS[month - 1])
