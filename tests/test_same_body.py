"""One body, one name: X and X管委会 / X人民政府 are one agency in the index; other bodies never merge."""

from collections import Counter

from index.same_body import names, place_of


def test_a_place_and_its_own_body_take_the_name_most_reports_use():
    counts = Counter({"平潭综合实验区": 7, "平潭综合实验区管委会": 1, "某县人民政府": 1, "某县": 1})
    assert names(counts) == {"平潭综合实验区管委会": "平潭综合实验区", "某县人民政府": "某县"}


def test_departments_and_other_places_stay_apart():
    counts = Counter({"平潭综合实验区": 3, "平潭综合实验区地方税务局": 1, "平潭县人民政府": 3,
                      "威海市文登区人民政府": 1, "威海市人民政府": 1, "威海市工业和信息化局": 1})
    assert names(counts) == {}
    assert place_of("平潭综合实验区地方税务局") == "平潭综合实验区地方税务局"
    assert place_of("天津港保税区管理委员会") == "天津港保税区"
