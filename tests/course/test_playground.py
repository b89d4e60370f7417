"""The playground: settings and URL, training sessions, the server, and the page in a real browser."""

from __future__ import annotations

import shutil
import socket
import threading
import time

import numpy as np
import pytest

import gradstudent as gs
from gradstudent.playground.config import ConfigError, PlaygroundConfig
from gradstudent.playground.session import Session, parse_csv

pytest.importorskip("starlette")


def test_config_round_trips_through_the_url():
    c = PlaygroundConfig(dataset="spiral", features=["x", "y", "sinx"], hidden=[8, 8, 4], optimizer="adam", lr=0.01, dropout=0.1)
    assert PlaygroundConfig.from_query(c.to_query()) == c
    assert PlaygroundConfig.from_query("hidden=") .hidden == []  # no hidden layer: logistic regression


@pytest.mark.parametrize("query, word", [("lr=fast", "lr"), ("lr=nan", "lr"), ("hidden=4,99", "hidden"), ("dataset=mnist", "dataset"),
                                         ("features=", "features"), ("colour=red", "unknown"), ("batch_size=2.5", "batch_size")])
def test_bad_settings_are_named(query, word):
    with pytest.raises(ConfigError, match=word):
        PlaygroundConfig.from_query(query)


def test_csv_upload_parsing():
    arr = parse_csv("x,y,label\n0,0,0\n1,1,1\n2,0,1\n0,3,0\n")
    assert arr.shape == (4, 3) and np.abs(arr[:, :2]).max() <= 6
    for bad, word in [("1,2\n3,4\n5,6\n7,8\n", "row 1"), ("0,0,2\n1,1,1\n2,2,0\n3,3,1\n", "labels"), ("0,0,0\n", "at least 4"),
                      ("a,b,c\n0,0,0\n1,x,1\n2,2,0\n3,3,1\n", "row 2"), ("0,0,0\n1,nan,1\n2,2,0\n3,3,1\n", "NaN")]:
        with pytest.raises(ConfigError, match=word):
            parse_csv(bad)


def test_training_lowers_the_loss_and_is_reproducible():
    cfg = PlaygroundConfig.from_query("dataset=circle&hidden=6&optimizer=adam&lr=0.05&noise=0.1")
    a, b = Session(cfg), Session(cfg)
    start = a.losses()["train_loss"]
    a.step(200)
    b.step(200)
    assert a.losses()["train_loss"] < 0.5 * start
    assert a.losses() == b.losses()  # same settings, same numbers
    snap = a.snapshot()
    assert np.array(snap["boundary"]).shape == (40, 40) and len(snap["neurons"]) == 1 and len(snap["neurons"][0]) == 6


def test_export_loads_in_gradstudent_and_torch(tmp_path):
    cfg = PlaygroundConfig.from_query("dataset=moons&hidden=5,3&dropout=0.1")
    s = Session(cfg)
    s.step(20)
    path = tmp_path / "m.safetensors"
    path.write_bytes(s.export())
    state = gs.load(path)
    fresh = Session(cfg).model
    fresh.load_state_dict(state)
    X = gs.randn(7, 2)
    s.model.eval()
    fresh.eval()
    np.testing.assert_allclose(fresh(X).detach().numpy(), s.model(X).detach().numpy())
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file

    tmodel = torch.nn.Sequential(torch.nn.Linear(2, 5), torch.nn.Tanh(), torch.nn.Dropout(0.1), torch.nn.Linear(5, 3), torch.nn.Tanh(),
                                 torch.nn.Dropout(0.1), torch.nn.Linear(3, 1)).eval()
    tmodel.load_state_dict(load_file(str(path)))
    np.testing.assert_allclose(tmodel(torch.from_numpy(X.numpy())).detach().numpy(), s.model(X).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_server_websocket_upload_and_export():
    from starlette.testclient import TestClient

    from gradstudent.playground.server import create_app

    with TestClient(create_app()) as client:
        assert "gradstudent playground" in client.get("/").text
        bad = client.post("/upload", content=b"not,a\ncsv")
        assert bad.status_code == 400 and "x,y,label" in bad.json()["error"]
        token = client.post("/upload", content=b"0,0,0\n1,1,1\n2,0,1\n0,3,0\n4,4,1\n").json()["token"]
        with client.websocket_connect("/ws") as ws:
            ws.send_json({"type": "config", "config": {"dataset": "upload", "hidden": "3"}, "upload": token})
            assert ws.receive_json()["type"] == "reset"
            assert ws.receive_json()["steps"] == 0
            ws.send_json({"type": "step"})
            assert ws.receive_json()["steps"] == 10
            ws.send_json({"type": "config", "config": {"lr": "-1"}})
            assert "lr" in ws.receive_json()["message"]
            ws.send_json({"type": "export"})
            url = ws.receive_json()["url"]
        assert len(client.get(url).content) > 100
        assert client.get("/export/nonsense").status_code == 404


# ---------------------------------------------------------------- in a real browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def server_url():
    import uvicorn

    from gradstudent.playground.server import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium package (apt-get install chromium)")
def test_in_a_real_browser(server_url, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(server_url + "?dataset=xor&hidden=6,4&optimizer=adam&lr=0.03")
        page.wait_for_function("document.getElementById('train-loss').textContent !== '-'", timeout=30000)
        assert page.input_value("#dataset") == "xor" and page.input_value("#hidden") == "6,4"  # the URL set the controls
        first = float(page.text_content("#train-loss"))
        page.click("#play")
        page.wait_for_function("Number(document.getElementById('step-count').textContent) >= 200", timeout=60000)
        page.click("#play")  # pause
        assert float(page.text_content("#train-loss")) < 0.5 * first  # the loss falls
        # a changed setting takes effect: a new network, and the URL records it
        page.fill("#lr", "0.1")
        page.dispatch_event("#lr", "change")
        page.wait_for_function("document.getElementById('step-count').textContent === '0'", timeout=30000)
        page.wait_for_function("location.search.includes('lr=0.1')", timeout=10000)
        # a bad upload gets a clear message
        bad = tmp_path / "bad.csv"
        bad.write_text("this is not\na csv file\n")
        page.set_input_files("#upload", str(bad))
        page.wait_for_function("document.getElementById('message').textContent.includes('x,y,label')", timeout=20000)
        # a bad setting too
        page.fill("#hidden", "4,99")
        page.dispatch_event("#hidden", "change")
        page.wait_for_function("document.getElementById('message').textContent.includes('hidden')", timeout=20000)
        browser.close()
