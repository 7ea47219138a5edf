"""``archgym proxy train`` and ``archgym proxy eval``."""

from __future__ import annotations

from archgym.cli import main
from archgym.data.collect import collect, write_dataset
from archgym.proxy import ProxyModel


def test_train_then_eval_prints_tables_and_writes_the_plot(tmp_path, capsys, analytic_data):
    train_file = write_dataset(analytic_data, tmp_path / "train.parquet")
    other = write_dataset(
        collect("archgym/Analytic-v0", 200, sampler="lhs", seed=99), tmp_path / "other.parquet"
    )
    model = tmp_path / "m.joblib"
    status = main(
        [
            "proxy",
            "train",
            str(train_file),
            "--out",
            str(model),
            "--metrics",
            "area",
            "--hp",
            "n_estimators=10",
            "--kfold",
            "2",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert "RMSE/mean %" in out and "RMSE/range %" in out and "2-fold" in out
    saved = ProxyModel.load(model)
    assert saved.metric_names == ("area",)
    assert saved.metadata["training_size"] == 1200
    assert saved.metadata["holdout_accuracy"][0]["metric"] == "area"

    plot = tmp_path / "pred.png"
    assert main(["proxy", "eval", str(model), str(other), "--plot", str(plot)]) == 0
    out = capsys.readouterr().out
    assert "area" in out and "R^2" in out
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_eval_of_a_missing_model_is_a_clean_error(tmp_path, capsys):
    assert main(["proxy", "eval", str(tmp_path / "none.joblib"), str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().err
