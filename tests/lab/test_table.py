from k8slab.lab.table import Table


def test_text_and_html_show_the_same_cells() -> None:
    table = Table([{"node": "worker-1", "pods": 3}, {"node": "w2", "pods": None, "x": 0.5}])
    assert table.columns == ["node", "pods", "x"]
    assert repr(table) == "node      pods  x\nworker-1  3\nw2              0.5"
    assert "<td>worker-1</td><td>3</td><td></td>" in table._repr_html_()
    assert len(table) == 2


def test_html_escapes_cells() -> None:
    assert "&lt;none&gt;" in Table([{"a": "<none>"}])._repr_html_()
