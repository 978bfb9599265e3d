"""``eqn emotion``: read, evaluate and train emotion sensors."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from eq_negotiator.emotions import LABELS

emotion_app = typer.Typer(help="Read, evaluate and train emotion sensors.", no_args_is_help=True)

# Human-readable output goes to stderr when it accompanies JSON; tables go to stdout otherwise.
out = Console()
err = Console(stderr=True)

SensorOption = Annotated[
    str,
    typer.Option("--sensor", "--model", "-m", help="Sensor spec: embedded, tfidf, tfidf:<dir>, hf:<id|path>."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout and nothing else.")]
TextColOption = Annotated[str, typer.Option("--text-col", help="Text column of CSV/JSONL/HF data.")]
LabelColOption = Annotated[str, typer.Option("--label-col", help="Label column of CSV/JSONL/HF data.")]
LabelMapOption = Annotated[
    str | None,
    typer.Option("--label-map", help="Extra label mapping: JSON file or 'name=label,name=label'."),
]


def _emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


def _print_training_summary(out_dir: Path, metrics: dict[str, Any], as_json: bool) -> None:
    summary = {
        "out": str(out_dir),
        "best_epoch": metrics.get("best_epoch"),
        "validation_macro_f1": metrics["validation"]["macro_f1"],
        "test_macro_f1": metrics.get("test", {}).get("macro_f1"),
        "train_seconds": metrics["train_seconds"],
    }
    if as_json:
        _emit_json(summary)
    else:
        out.print(summary)


def _fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code=2)


@emotion_app.command("predict")
def predict(
    text: Annotated[str, typer.Argument(help="The utterance to read.")],
    sensor: SensorOption = "embedded",
    label_map: LabelMapOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read the emotion of one utterance: label, confidence and the distribution over the seven labels."""
    from eq_negotiator.sensing import SensorLoadError, load_sensor

    try:
        reading = load_sensor(sensor, label_map=label_map).read(text)
    except (ValueError, SensorLoadError) as exc:
        _fail(str(exc))
        return
    if as_json:
        _emit_json(reading.to_dict())
        return
    out.print(f"[bold]{reading.label}[/] ({reading.confidence:.1%}), sensor: {sensor}", highlight=False)
    table = Table()
    table.add_column("label")
    table.add_column("probability", justify="right")
    for label in LABELS:
        style = "bold" if label == reading.label else ""
        table.add_row(label, f"{reading.distribution[label]:.3f}", style=style)
    out.print(table)
    if reading.flags:
        out.print(f"flags: {', '.join(reading.flags)}")


@emotion_app.command("eval")
def evaluate_command(
    data: Annotated[str, typer.Option("--data", help="Data spec, e.g. csv:labelled.csv or goemotions-ekman:<dir>.")],
    sensor: SensorOption = "embedded",
    text_col: TextColOption = "text",
    label_col: LabelColOption = "label",
    label_map: LabelMapOption = None,
    confusion: Annotated[Path | None, typer.Option("--confusion", help="Write a confusion-matrix PNG here.")] = None,
    latency_samples: Annotated[int, typer.Option(help="Utterances timed one by one for latency.")] = 100,
    as_json: JsonOption = False,
) -> None:
    """Score a sensor on labelled data: accuracy, macro/weighted F1, per-class scores, confusion, ECE, latency."""
    from eq_negotiator.sensing import SensorLoadError
    from eq_negotiator.sensing.data import ColumnOptions
    from eq_negotiator.sensing.evaluation import evaluate_sensor, plot_confusion

    try:
        report = evaluate_sensor(
            sensor,
            data,
            ColumnOptions(text_col=text_col, label_col=label_col, label_map=label_map),
            latency_samples=latency_samples,
        )
    except (ValueError, FileNotFoundError, SensorLoadError) as exc:
        _fail(str(exc))
        return
    if confusion is not None:
        plot_confusion(report["confusion"], confusion, title=f"{sensor} on {data}")
    if as_json:
        _emit_json(report)
        return
    out.print(
        f"[bold]{sensor}[/] on {data}: n={report['n']} accuracy={report['accuracy']:.3f} "
        f"macro-F1={report['macro_f1']:.3f} weighted-F1={report['weighted_f1']:.3f} ECE={report['ece']:.3f} "
        f"p50={report['latency_ms_p50']:.2f} ms",
        highlight=False,
    )
    table = Table()
    for column in ("label", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column == "label" else "right")
    for label in LABELS:
        row = report["per_class"][label]
        table.add_row(label, f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}", str(row["support"]))
    out.print(table)
    for source, scores in report.get("per_source", {}).items():
        out.print(
            f"  {source}: n={scores['n']} accuracy={scores['accuracy']:.3f} macro-F1={scores['macro_f1']:.3f} "
            f"weighted-F1={scores['weighted_f1']:.3f}",
            highlight=False,
        )


@emotion_app.command("train")
def train_command(
    base: Annotated[str, typer.Option("--base", help="HF id or local path; 'embedded-base' = verified MiniLM.")],
    data: Annotated[
        str, typer.Option("--data", help="Training data spec (goemotions-ekman:, csv:, jsonl:, hf-dataset:).")
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")],
    epochs: Annotated[int, typer.Option(help="Passes over the data.")] = 4,
    lr: Annotated[float | None, typer.Option(help="Peak learning rate (default 5e-4 LoRA, 5e-5 full).")] = None,
    batch_size: Annotated[int, typer.Option(help="Examples per step.")] = 32,
    max_length: Annotated[int, typer.Option(help="Token limit per utterance.")] = 64,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 13,
    lora: Annotated[
        bool, typer.Option("--lora/--full", help="LoRA adapters (small output) or full fine-tuning.")
    ] = True,
    lora_rank: Annotated[int, typer.Option(help="LoRA rank.")] = 16,
    class_weights: Annotated[
        bool,
        typer.Option("--class-weights/--no-class-weights", help="Weight the loss by inverse class frequency."),
    ] = True,
    multi_label: Annotated[str, typer.Option(help="Rows with several labels: soft or drop.")] = "soft",
    extra_train: Annotated[
        list[str] | None,
        typer.Option("--extra-train", help="More data specs mixed into training (repeatable)."),
    ] = None,
    text_col: TextColOption = "text",
    label_col: LabelColOption = "label",
    label_map: LabelMapOption = None,
    max_train_rows: Annotated[int | None, typer.Option(help="Use at most this many training rows.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Fine-tune a Hugging Face model into a seven-label emotion sensor (usable as hf:<out>)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from eq_negotiator.sensing.data import ColumnOptions, MultiLabelRule
    from eq_negotiator.sensing.training import TrainConfig, train

    try:
        rule = MultiLabelRule(multi_label)
    except ValueError:
        _fail(f"--multi-label must be soft or drop, not {multi_label!r}")
        return
    config = TrainConfig(
        base=base,
        data=data,
        out=out_dir,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        max_length=max_length,
        seed=seed,
        lora=lora,
        lora_rank=lora_rank,
        class_weights=class_weights,
        multi_label=rule,
        extra_train=list(extra_train or []),
        columns=ColumnOptions(text_col=text_col, label_col=label_col, label_map=label_map),
        max_train_rows=max_train_rows,
    )
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=as_json,
    ) as bar:
        task = bar.add_task("loading", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        try:
            metrics = train(config, progress)
        except (ValueError, FileNotFoundError) as exc:
            _fail(str(exc))
            return
    _print_training_summary(out_dir, metrics, as_json)


@emotion_app.command("train-tfidf")
def train_tfidf_command(
    data: Annotated[str, typer.Option("--data", help="Training data spec.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")],
    c: Annotated[float, typer.Option("--c", help="Inverse regularisation strength.")] = 4.0,
    class_weights: Annotated[bool, typer.Option("--class-weights/--no-class-weights")] = True,
    seed: Annotated[int, typer.Option(help="Seed for the validation split (single files only).")] = 13,
    text_col: TextColOption = "text",
    label_col: LabelColOption = "label",
    label_map: LabelMapOption = None,
    as_json: JsonOption = False,
) -> None:
    """Train the TF-IDF + logistic regression sensor (usable as tfidf:<out>)."""
    from eq_negotiator.sensing.data import ColumnOptions, load_data, train_validation_split
    from eq_negotiator.sensing.metrics import classification_report
    from eq_negotiator.sensing.tfidf import TfidfTrainConfig, train_tfidf

    started = time.perf_counter()
    try:
        splits = load_data(data, ColumnOptions(text_col=text_col, label_col=label_col, label_map=label_map))
    except (ValueError, FileNotFoundError) as exc:
        _fail(str(exc))
        return
    train_rows, validation = splits.train, splits.validation
    if validation is None:
        train_rows, validation = train_validation_split(train_rows, 0.1, seed)
    model, metrics = train_tfidf(
        train_rows,
        validation.single_label(),
        TfidfTrainConfig(c=c, class_weight_power=0.5 if class_weights else 0.0),
    )
    if splits.test is not None:
        test = splits.test.single_label()
        metrics["test"] = classification_report(test.labels, model.probabilities(test.texts))
    metrics["train_seconds"] = round(time.perf_counter() - started, 1)
    model.save(out_dir, metrics)
    _print_training_summary(out_dir, metrics, as_json)
