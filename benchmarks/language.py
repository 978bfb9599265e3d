"""How often the language check flags English, and how often it catches messages in other languages.

The check (:func:`eq_negotiator.sensing.language.identify_language`) must never take an English client for a
foreign one: a flagged message gets no negotiation, only a request to write in English. Reported:

* ``english``: flagged / total over English lines: every client message of the rights corpus not marked Spanish or
  Spanglish, the credit-dialogue and negotiation-emotion corpora, the collector replies, the fresh benchmark sets
  (``benchmarks/data``, Spanish rows left out), and the simulated debtor's sentences (every opener and core, and
  openers joined to cores);
* ``short``: flagged / total over short English replies (:data:`SHORT_ENGLISH`);
* ``spanish`` and ``spanglish``: flagged / total over the rights corpus lines so marked;
* ``foreign``: flagged / total over :data:`FOREIGN`, messages written for this benchmark in eleven languages.

Usage: python benchmarks/language.py
The last line printed is one JSON object with those figures (and the English lines flagged, if any).
"""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path
from typing import Any

from eq_negotiator.sensing.language import identify_language
from eq_negotiator.simulation.debtors import CORES, OPENERS

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "eq_negotiator" / "sensing" / "corpora"
FRESH = ROOT / "benchmarks" / "data"

SHORT_ENGLISH: tuple[str, ...] = (
    "ok", "okay", "30 days", "no", "fine", "deal", "sure", "yes please", "lol", "k", "45?", "nope", "sounds good",
    "thanks", "I can't", "maybe", "hmm", "whatever", "no way", "OK 45 days then", "Alright, deal.", "lol no way",
    "60 days?", "Can't do it", "Yes", "Agreed.", "Nah", "ugh", "fine, 90", "what?", "idk", "pls", "thx",
    "90 days pls", "I'll pay on the 15th", "no no no", "Si", "ok ok", "Not possible", "Perfect", "Good",
    "Great, thanks!", "Bueno", "cool", "Noted", "I see", "hello", "hi", "Hi there", "Hey", "good morning", "sorry",
    "sorry, what?", "stop", "Please", "Why?", "How much?", "When?", "So?", "And?", "Done", "Ok deal 75 days",
    "Really?", "Seriously??", "LOL", "haha",
)  # fmt: skip
"""Short English replies a client sends; none may be flagged."""

FOREIGN: tuple[str, ...] = (
    "Bonjour, je ne peux pas payer maintenant, pouvez-vous me donner plus de temps?",
    "Je peux payer dans 60 jours.",
    "Désolé, je n'ai pas d'argent ce mois-ci.",
    "我现在没有钱，可以给我三个月吗？",
    "我可以在六十天内还清。",
    "你好，我想分期付款。",
    "Hola, no puedo pagar este mes, necesito más tiempo por favor",
    "Puedo pagar en 60 días.",
    "Eu não posso pagar agora, preciso de mais tempo.",
    "Ich kann die Rechnung erst nächsten Monat bezahlen.",
    "Posso pagare tra due mesi, va bene?",
    "Tôi không có tiền để trả ngay bây giờ.",
    "Я не могу заплатить сейчас, дайте мне время.",
    "لا أستطيع الدفع الآن، أحتاج إلى مزيد من الوقت",
    "지금은 돈이 없어서 다음 달에 갚을게요.",
    "今はお金がないので、来月払います。",
)
"""Client messages in French, Chinese, Spanish, Portuguese, German, Italian, Vietnamese, Russian, Arabic, Korean and
Japanese, written for this benchmark; every one should be flagged."""


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _csv_texts(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["text"] for row in csv.DictReader(handle) if row["text"].strip()]


def debtor_sentences() -> list[str]:
    """The simulated debtor's sentences, slots filled as a dialogue fills them."""
    slots = {"days": "60 days", "their": "45 days", "creditor": "Northwind Lending", "name": "Alex Morgan"}
    slots["amount"] = "USD 4,850.00"
    cores = [core.format(**slots) for bank in CORES.values() for core in bank]
    openers = [opener for bank in OPENERS.values() for opener in bank]
    return [*cores, *openers, *(f"{o} {c}" for o, c in itertools.product(openers[::5], cores[::3]))]


def corpora() -> dict[str, list[str]]:
    """The English, Spanish and Spanglish lines the figures are computed on."""
    sets: dict[str, list[str]] = {"english": [], "spanish": [], "spanglish": []}
    for row in _jsonl(CORPORA / "client_rights_messages.jsonl"):
        note = str(row.get("note", "")).lower()
        sets["spanglish" if "spanglish" in note else "spanish" if "spanish" in note else "english"].append(row["text"])
    sets["english"] += _csv_texts(CORPORA / "credit_dialogue_emotions.csv")
    sets["english"] += _csv_texts(CORPORA / "negotiation_emotions.csv")
    sets["english"] += [row["text"] for row in _jsonl(CORPORA / "collector_replies.jsonl")]
    for name in ("rights_fresh.jsonl", "guard_fresh.jsonl"):
        for row in _jsonl(FRESH / name):
            # The fresh rights set has Spanish rows too (not marked): scored with the Spanish lines.
            sets["spanish" if _looks_spanish(row["text"]) else "english"].append(row["text"])
    sets["english"] += debtor_sentences()
    return sets


SPANISH_WORDS: frozenset[str] = frozenset(
    {"que", "por", "favor", "con", "ya", "eso", "esto", "tengo", "pagar", "llamen", "hablen", "nada", "más", "pero"}
)
"""Spanish words that are not English words: two of them mark an unmarked row as Spanish (without the identifier,
so that no English row the identifier gets wrong can be moved out of the English lines)."""


def _looks_spanish(text: str) -> bool:
    words = set(text.lower().replace(",", " ").replace(".", " ").split())
    return len(words & SPANISH_WORDS) >= 2


def main() -> None:
    sets = corpora()
    sets["short"] = list(SHORT_ENGLISH)
    sets["foreign"] = list(FOREIGN)
    flagged = {name: [text for text in texts if not identify_language(text).supported] for name, texts in sets.items()}
    figures: dict[str, Any] = {name: f"{len(flagged[name])}/{len(texts)}" for name, texts in sets.items()}
    for name, texts in sets.items():
        print(f"{name:10s} flagged {figures[name]:>10s} ({len(flagged[name]) / len(texts):.2%})")
    figures["english_flagged"] = flagged["english"] + flagged["short"]
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
