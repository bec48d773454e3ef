import funnelguide as fg


def test_radon_loads_with_the_documented_shape():
    radon = fg.load_radon()
    assert radon.shape == (919, 5)
    assert radon["county"].nunique() == 85
