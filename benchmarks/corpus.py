"""Generated German motorsport press releases for benchmarks (all names invented).

Deterministic: document ``n`` is always the same text, so runs of different
sizes and processes are comparable. ``write_corpus`` writes JSONL shards of
``shard_docs`` documents each (the readers load a whole file at once, so
shards keep the reader's memory independent of the corpus size).
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

DEFAULT_SHARD_DOCS = 1000

GIVEN = ["Lena", "Jonas", "Mara", "Tobias", "Frieda", "Malte", "Ilka", "Ben", "Svenja", "Korbinian", "Ida",
         "Henrik", "Greta", "Piet", "Romy", "Anton", "Leonie", "Falk", "Wiebke", "Matthis"]
SURNAMES = ["Hofbauer", "Brenninger", "Wittstock", "Oberhalt", "Kessendorf", "Lindqvist", "Rautenberg",
            "Schwarzbach", "Dellbrück", "Ambrosius", "Tannhäuser", "Vogelsang", "Reinecker", "Mühlberg",
            "Quast", "Eschweiler", "Pfannstiel", "Grünwald", "Haberland", "Zinnecker"]
TOWNS = ["Rosenheim", "Reutlingen", "Neuwied", "Bad Kissingen", "Görlitz", "Landshut", "Wetzlar", "Bocholt",
         "Itzehoe", "Schwäbisch Hall", "Passau", "Lüneburg"]
TEAMS = ["Falkenstein Motorsport", "Team Rheinauen", "Zollernalb Racing", "Spessart Motorsport",
         "Hunsbergen Racing", "Eifelstern Motorsport", "Börde Racing", "Team Spreewald Electric"]
CARS = ["Porsche 911 GT3 R", "Audi R8 LMS evo II", "Mercedes-AMG GT3", "BMW M4 GT3", "Ferrari 296 GT3",
        "Audi RS 3 LMS TCR", "Cupra León VZ TCR"]
CIRCUITS = ["Nürburgring", "Hockenheimring", "Sachsenring", "Lausitzring", "Norisring", "Oschersleben"]
SERIES = ["ADAC GT Masters", "DTM", "Nürburgring Langstrecken-Serie", "ADAC Tourenwagen Cup", "Porsche Carrera Cup"]
ROLES = ["Teamchef", "Technischer Direktor", "Leiter Motorsport", "Renningenieur"]
MONTHS = ["April", "Mai", "Juni", "Juli", "August", "September"]
QUOTES = [
    "Wir hatten heute das beste Paket, das Team hat die Reifen perfekt vorbereitet.",
    "Mehr war heute nicht drin, morgen starten wir weiter vorn.",
    "Als ich die ersten Tropfen gesehen habe, habe ich sofort gefunkt.",
    "Ein Doppelsieg zum Auftakt, besser kann man nicht in die Saison starten.",
    "Die letzten Runden waren die längsten meines Lebens.",
    "Das Auto lag heute wie auf Schienen, ich konnte jede Kurve voll angreifen.",
]


def _people(rng: random.Random, count: int) -> list[str]:
    return [f"{rng.choice(GIVEN)} {surname}" for surname in rng.sample(SURNAMES, count)]


def _quote(rng: random.Random) -> str:
    # Before „…“, sagte X the sentence's full stop is dropped.
    return rng.choice(QUOTES).rstrip(".")


def generate_document(number: int) -> str:
    """One press release of about 200 words; the same ``number`` gives the same text."""
    rng = random.Random(number)
    winner, second, third, chief = _people(rng, 4)
    team, rival = rng.sample(TEAMS, 2)
    car, rival_car = rng.sample(CARS, 2)
    circuit, series = rng.choice(CIRCUITS), rng.choice(SERIES)
    town = rng.choice(TOWNS)
    day, month = rng.randint(1, 28), rng.choice(MONTHS)
    winner_surname, second_surname = winner.split()[-1], second.split()[-1]
    paragraphs = [
        f"{circuit}, {day}. {month} 2024 – {winner} ({town}) hat den {rng.randint(1, 8)}. Lauf des {series} "
        f"auf dem {circuit} gewonnen. Im {car} von {team} setzte sich {winner_surname} vor {second} und "
        f"{third} durch.",
        f"{winner_surname} übernahm in der {rng.choice(['zweiten', 'fünften', 'zwölften'])} Runde die Führung "
        f"und baute den Vorsprung bis zum Pflichtstopp auf {rng.randint(2, 9)},{rng.randint(0, 9)} Sekunden aus. "
        f"{second_surname} kämpfte sich im {rival_car} von {rival} von Startplatz {rng.randint(3, 12)} nach vorn.",
        f"„{_quote(rng)}“, sagte {winner_surname}. „{rng.choice(QUOTES)}“",
        f"{second_surname} zeigte sich zufrieden: „{rng.choice(QUOTES)}“",
        f"„{_quote(rng)}“, so {rng.choice(ROLES)} {chief}.",
        f"In der Meisterschaft liegt {winner_surname} nun mit {rng.randint(40, 180)} Punkten an der Spitze. "
        f"Der nächste Lauf findet am {rng.randint(1, 28)}. {rng.choice(MONTHS)} auf dem "
        f"{rng.choice(CIRCUITS)} statt.",
    ]
    return "\n\n".join(paragraphs)


GOLD = Path(__file__).resolve().parents[1] / "data" / "gold"
ONSETS = ["b", "br", "d", "f", "g", "gr", "h", "k", "kr", "l", "m", "n", "p", "r", "s", "sch", "st", "t", "v", "w", "z"]
VOWELS = ["a", "e", "i", "o", "u", "ä", "ö", "ü", "ei", "au"]
CODAS = ["", "", "n", "r", "l", "s", "ch", "ck", "nd", "rt", "tz", "ng"]


def _invented_word(rng: random.Random) -> str:
    syllables = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(rng.randint(2, 3)))
    return syllables.capitalize()


def load_templates(folder: Path = GOLD) -> list[dict]:
    """The team's own gold releases, used as realistic templates."""
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))]


def varied_document(number: int, templates: list[dict]) -> str:
    """A gold release with every person's surnames replaced by invented ones.

    The prose stays real (a few thousand distinct words across the templates)
    and every document brings new names, as an archive does: the tokenizer's
    cache cannot answer everything, unlike with ``generate_document``.
    """
    from pipeline.rules import load_lexicons

    given_names = load_lexicons().given_names  # kept: real releases use real given names
    rng = random.Random(number)
    template = templates[number % len(templates)]
    words = {word for record in (*template["drivers"], *template["people"]) for word in record["name"].split()
             if word[:1].isupper() and len(word) > 2 and word not in given_names}
    text = template["text"]
    for word in sorted(words, key=len, reverse=True):  # also the genitive: "Kettlers Teamkollege"
        text = re.sub(rf"(?<!\w){re.escape(word)}(?=s?(?!\w))", _invented_word(rng), text)
    return text


def write_corpus(folder: Path, n_docs: int, *, shard_docs: int = DEFAULT_SHARD_DOCS, varied: bool = False) -> Path:
    """``n_docs`` generated documents as JSONL shards in ``folder``; returns the folder.

    ``varied``: gold releases with invented names (``varied_document``) instead
    of ``generate_document``."""
    folder.mkdir(parents=True, exist_ok=True)
    templates = load_templates() if varied else []
    for shard_start in range(0, n_docs, shard_docs):
        shard = folder / f"shard-{shard_start // shard_docs:05d}.jsonl"
        with open(shard, "w", encoding="utf-8") as handle:
            for number in range(shard_start, min(n_docs, shard_start + shard_docs)):
                text = varied_document(number, templates) if varied else generate_document(number)
                handle.write(json.dumps({"id": f"pm-{number:06d}", "text": text}, ensure_ascii=False) + "\n")
    return folder
