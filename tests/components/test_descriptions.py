"""What a description says of a person (age, gender, origin, title), on the packaged lexicons."""

from pipeline.components.descriptions import (
    age_of, contradicts, description_gender, fitting_people, is_feminine_noun, learn,
)
from pipeline.rules import load_lexicons

LEX = load_lexicons()


def person(number, name, **fields):
    record = {"id": number, "name": name, "kind": "driver", "role": None, "titles": [], "nationality": None,
              "hometown": None, "age": None, "gender": None}
    record.update(fields)
    return record


def test_age_words():
    assert age_of("24-Jährige", LEX) == 24 and age_of("31-jähriger", LEX) == 31
    assert age_of("Mitte-Jährige", LEX) is None and age_of("Jahre", LEX) is None


def test_gender_of_a_description():
    assert description_gender("Finnin", LEX) == "f" and description_gender("Belgier", LEX) == "m"
    assert description_gender("29-Jährige", LEX, "die") == "f"
    assert description_gender("29-Jährige", LEX, "der") is None  # "der" may be a feminine dative
    assert description_gender("Werksfahrerin", LEX) == "f" and description_gender("Werksfahrer", LEX) == "m"
    assert description_gender("Kurve", LEX) is None


def test_feminine_person_nouns_also_by_ending():
    assert is_feminine_noun("Werksfahrerin", LEX) and is_feminine_noun("Leiterin", LEX)
    assert is_feminine_noun("Pilotin", LEX)  # a feminine title, though no -erin
    assert not is_feminine_noun("Rennleiter", LEX) and not is_feminine_noun("Kabin", LEX)


def test_who_a_description_fits_and_what_it_teaches():
    people = [person(0, "Aki Laine", hometown="FIN"), person(1, "Kai Roth", hometown="Rosenheim", age=24),
              person(2, "Ida Krall", hometown="Innsbruck")]
    assert fitting_people("Finne", people, LEX) == [0]
    assert fitting_people("24-Jährige", people, LEX) == [1]
    assert fitting_people("Tiroler", people, LEX) == [2]  # a region noun fits a town in it
    assert fitting_people("Rosenheimer", people, LEX) == [1]  # a hometown noun
    assert fitting_people("Kurve", people, LEX) is None
    assert contradicts("Belgier", None, people[0], LEX) and not contradicts("Finne", None, people[0], LEX)
    assert contradicts("30-Jährige", None, people[1], LEX)
    record = person(3, "Tom Verbeke")
    learn("Belgierin", record, LEX)
    assert (record["nationality"], record["gender"]) == ("Belgien", "f")


def test_the_index_answers_as_a_scan_of_every_record_also_after_a_change():
    from pipeline.components.descriptions import PeopleByDescription

    people = [person(0, "Aki Laine", hometown="FIN"), person(1, "Kai Roth", hometown="Rosenheim", age=24),
              person(2, "Ida Krall", hometown="Innsbruck"), person(3, "Jan Ort", titles=["Werksfahrer"]),
              person(4, "Tom Verbeke", nationality="Belgien"), person(5, "Ole Sand", hometown="Rosenheim")]
    words = ["Finne", "24-Jährige", "Tiroler", "Rosenheimer", "Kurve", "Werksfahrer", "Belgier", "Mitte-Jährige",
             "Österreicher", "Finnin"]
    index = PeopleByDescription(people, LEX)
    assert [index.fitting(word) for word in words] == [fitting_people(word, people, LEX) for word in words]
    people[4]["age"], people[4]["hometown"] = 24, "Innsbruck"
    learn("Finne", people[3], LEX)
    index.changed(people[4])
    index.changed(people[3])
    assert [index.fitting(word) for word in words] == [fitting_people(word, people, LEX) for word in words]
    assert index.fitting("24-Jährige") == [1, 4] and index.fitting("Finne") == [0, 3]


def test_an_index_built_after_a_change_answers_as_one_built_before():
    from pipeline.components.descriptions import PeopleByDescription

    def people():
        return [person(0, "Aki Laine", hometown="FIN"), person(1, "Kai Roth", hometown="Rosenheim", age=24),
                person(2, "Ida Krall", hometown="Innsbruck")]

    words = ["Finne", "24-Jährige", "Tiroler", "Rosenheimer", "Österreicher"]
    asked_first, asked_later = people(), people()
    early, late = PeopleByDescription(asked_first, LEX), PeopleByDescription(asked_later, LEX)
    [early.fitting(word) for word in words]  # every kind built now; late builds its kinds below
    for records, index in ((asked_first, early), (asked_later, late)):
        records[2]["age"], records[2]["hometown"] = 24, "Rosenheim"
        index.changed(records[2])
        index.changed(records[0])  # unchanged: stays where it is
    assert [late.fitting(word) for word in words] == [early.fitting(word) for word in words]
    assert late.fitting("24-Jährige") == [1, 2] and late.fitting("Tiroler") == []
