from pipeline.components.shapes import place_fits


def test_place_nouns_fit_their_towns():
    assert place_fits("Gütersloher", "Gütersloh")
    assert place_fits("Genferin", "Genf")
    assert place_fits("Münchner", "München")
    assert place_fits("Ingolstädter", "Ingolstadt")
    assert place_fits("Bremer", "Bremen")
    assert place_fits("Rosenheimer", "Rosenheim (Bayern)")
    assert place_fits("Freiburger", "Freiburg im Breisgau")


def test_other_nouns_do_not_fit():
    assert not place_fits("Gütersloher", "Rosenheim")
    assert not place_fits("Fahrer", "Rosenheim")
    assert not place_fits("Erer", "Er")  # a stem under three letters says nothing
    assert not place_fits("Schweizer", "Zürich")
