"""``archgym proxy train|eval``: train proxy cost models on datasets and measure them."""

from __future__ import annotations

import argparse
from typing import Any

from archgym.cli.output import add_assignments_option, format_table, parse_assignments


def register(subparsers: argparse._SubParsersAction) -> None:
    from archgym.proxy.model import MODEL_KINDS

    parser = subparsers.add_parser(
        "proxy",
        help="train and evaluate proxy (surrogate) cost models",
        description="Train a proxy on trajectory datasets, or score a saved one.",
    )
    actions = parser.add_subparsers(dest="proxy_command", metavar="ACTION")

    train = actions.add_parser(
        "train",
        help="train a proxy on datasets; print held-out accuracy; save it",
        description=(
            "Merge the datasets (duplicate designs kept once), split off a random test "
            "set of unique designs, train, print the held-out accuracy table and save "
            "the model (with --refit: retrained on every row after scoring)."
        ),
    )
    train.add_argument("data", nargs="+", help="dataset files, folders or globs (Parquet)")
    train.add_argument("--out", required=True, help="model file to write (e.g. model.joblib)")
    train.add_argument("--env", default=None, help="env id (default: the data's env_id)")
    train.add_argument("--workload", default=None, help="workload (needed if data mixes them)")
    train.add_argument("--metrics", default=None, help="comma-separated metrics (default all)")
    train.add_argument("--model", choices=MODEL_KINDS, default="random_forest")
    add_assignments_option(train, "--hp", "model hyperparameter (repeatable)")
    train.add_argument(
        "--log-targets",
        choices=("auto", "yes", "no"),
        default="auto",
        help="fit targets in log space (auto: positive metrics spanning >= 100x)",
    )
    train.add_argument("--test-fraction", type=float, default=0.2)
    train.add_argument("--max-train", type=int, default=None, help="cap on training rows")
    train.add_argument("--kfold", type=int, default=0, help="also report K-fold accuracy")
    train.add_argument("--refit", action="store_true", help="save a model trained on all rows")
    train.add_argument("--seed", type=int, default=0)
    add_assignments_option(train, "--env-arg", "env option for the reference env (repeatable)")
    train.set_defaults(handler=run_train)

    evaluate = actions.add_parser(
        "eval",
        help="score a saved proxy on datasets; print the table; plot predicted vs simulated",
        description=(
            "Score a saved proxy on datasets it was not trained on (e.g. collected with "
            "another seed) and write a predicted-versus-simulated PNG."
        ),
    )
    evaluate.add_argument("model", help="saved proxy model file")
    evaluate.add_argument("data", nargs="+", help="dataset files, folders or globs (Parquet)")
    evaluate.add_argument("--plot", default=None, help="PNG to write (default MODEL.png)")
    add_assignments_option(evaluate, "--env-arg", "env option for the reference env (repeatable)")
    evaluate.set_defaults(handler=run_eval)
    parser.set_defaults(handler=lambda args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _reference(env_id: str, env_args: list[str] | None, workload: str) -> Any:
    from archgym.envs import make_env
    from archgym.proxy.training import Reference

    env = make_env(env_id, **parse_assignments(env_args, "--env-arg"))
    ref = Reference.of(env)
    env.close()
    return Reference(ref.space, ref.metric_specs, env_id, workload)


def _load(sources: list[str]) -> Any:
    from archgym.data.loading import load_trajectories

    return load_trajectories(sources)


def _env_and_workload(data: Any, env_id: str | None, workload: str | None) -> tuple[str, str]:
    from archgym.errors import DatasetError

    if env_id is None:
        ids = sorted(map(str, data["env_id"].dropna().unique())) if "env_id" in data else []
        if len(ids) != 1:
            raise DatasetError(f"cannot tell the env from the data (env ids {ids}); pass --env")
        env_id = ids[0]
    if workload is None:
        names = sorted(map(str, data["workload"].dropna().unique())) if "workload" in data else []
        if len(names) > 1:
            raise DatasetError(f"the data mixes workloads {names}; pass --workload")
        workload = names[0] if names else ""
    return env_id, workload


def _table(table: Any) -> str:
    headers = ["metric", "unit", "n_test", "RMSE", "RMSE/mean %", "RMSE/range %", "MAPE %", "R^2"]
    rows = [list(r) for r in table.itertuples(index=False)]
    return format_table(rows, headers)


def run_train(args: argparse.Namespace) -> int:
    from archgym.data.merge import merge_datasets
    from archgym.proxy.accuracy import cross_validate, holdout_evaluation
    from archgym.proxy.training import train_proxy

    raw = _load(args.data)
    env_id, workload = _env_and_workload(raw, args.env, args.workload)
    ref = _reference(env_id, args.env_arg, workload)
    metrics = args.metrics.split(",") if args.metrics else None
    specs = ref.specs_for(metrics)
    names = [m.name for m in specs]
    data = merge_datasets([raw], list(ref.space.names), names, duplicates="first")
    log = {"auto": "auto", "yes": True, "no": False}[args.log_targets]
    options = {
        "model": args.model,
        "hyperparameters": parse_assignments(args.hp, "--hp"),
        "log_targets": log,
    }
    result = holdout_evaluation(
        data,
        ref,
        names,
        test_fraction=args.test_fraction,
        max_train=args.max_train,
        seed=args.seed,
        **options,
    )
    print(
        f"held-out accuracy ({env_id}, workload {workload}, model {args.model}, "
        f"{result.model.metadata['training_size']} training designs):"
    )
    print(_table(result.table))
    model = result.model
    if args.kfold:
        folds = cross_validate(data, ref, names, k=args.kfold, seed=args.seed, **options)
        print(f"\n{args.kfold}-fold accuracy (mean over folds):")
        cols = [
            "metric",
            "unit",
            "folds",
            "rmse_mean",
            "nrmse_mean_pct_mean",
            "nrmse_range_pct_mean",
            "mape_pct_mean",
            "r2_mean",
        ]
        print(
            format_table(
                [list(r) for r in folds[cols].itertuples(index=False)],
                ["metric", "unit", "folds", "RMSE", "RMSE/mean %", "RMSE/range %", "MAPE %", "R^2"],
            )
        )
    if args.refit:
        model = train_proxy(data, ref, names, seed=args.seed, **options)
    model.metadata["holdout_accuracy"] = result.table.to_dict(orient="records")
    model.metadata["test_fraction"] = args.test_fraction
    path = model.save(args.out)
    print(f"\nsaved {path} ({model.metadata['training_size']} training designs)")
    return 0


def run_eval(args: argparse.Namespace) -> int:
    from archgym.proxy.accuracy import evaluate_proxy
    from archgym.proxy.model import ProxyModel
    from archgym.proxy.plots import plot_predicted_vs_simulated
    from archgym.proxy.training import prepare_training_data

    peek = ProxyModel.load(args.model)
    meta = peek.metadata
    ref = _reference(meta["env_id"], args.env_arg, meta.get("workload", ""))
    model = ProxyModel.load(args.model, knob_schema=ref.space.schema())
    names = list(model.metric_names)
    rows, _, _ = prepare_training_data(_load(args.data), ref, names)
    table = evaluate_proxy(model, rows)
    print(
        f"accuracy of {args.model} ({meta['env_id']}, workload {meta.get('workload')}, "
        f"trained on {meta['training_size']} designs) on {len(rows)} designs:"
    )
    print(_table(table))
    plot = args.plot or f"{args.model}.png"
    units = {m["name"]: m["unit"] for m in meta["metrics"]}
    plot_predicted_vs_simulated(
        rows,
        model.predict(rows),
        names,
        plot,
        units=units,
        title=f"{meta['env_id']} {meta.get('workload', '')} proxy",
    )
    print(f"wrote {plot}")
    return 0
