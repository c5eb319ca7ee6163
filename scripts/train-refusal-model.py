#!/usr/bin/env python3
"""Train the tiny refusal classifier used as a test fixture, and export it to ONNX.

The model answers one question about an assistant reply: did the model comply
("complied") or refuse ("rejected")? It is a scikit-learn pipeline of a small
word n-gram TF-IDF vectorizer and a logistic regression, exported with skl2onnx
so that the TF-IDF step lives inside the ONNX graph and the model takes raw
text. The ONNX contract is the one the refusal detector expects:

    input          "input"          tensor(string)  [N, 1]
    output         "label"          tensor(string)  [N]     "complied" | "rejected"
    output         "probabilities"  tensor(float)   [N, 2]  [p_complied, p_rejected]

"probabilities" is a plain float tensor (the classifier is converted with
zipmap=False), so onnxruntime-node returns it as a flat Float32Array, two
numbers per row. Class order is alphabetical: complied=0, rejected=1.

The data set is written into this file: short assistant replies made up for
this project (templated refusals plus hand-written answers on varied topics,
some of which say "sorry" or "can't" while still answering). Nothing is
downloaded. Training is deterministic, so rerunning the script with the pinned
versions reproduces the same .onnx file byte for byte.

Run it from the repository root:

    python3 -m venv /tmp/refusal-venv
    /tmp/refusal-venv/bin/pip install -r scripts/requirements-refusal-model.txt
    /tmp/refusal-venv/bin/python scripts/train-refusal-model.py

It writes __test__/fixtures/refusal-classifier.onnx, then checks the exported
model with onnxruntime against scikit-learn. To check it from Node with
onnxruntime-node, see scripts/check-refusal-model.js.

Tokenizer note: skl2onnx turns the TfidfVectorizer into ONNX StringNormalizer
(lower-casing) + com.microsoft Tokenizer (an RE2 regex) + TfIdfVectorizer ops.
Only analyzer="word", no custom tokenizer and no strip_accents convert, and the
token_pattern must mean the same in Python's re and in RE2. The sklearn
default (?u)\\b\\w\\w+\\b is NOT kept as is: skl2onnx swaps in [a-zA-Z0-9_]+,
which keeps one-letter tokens sklearn drops, so bigrams differ between the two.
We therefore use the plain pattern [a-z0-9]+ (applied after lower-casing) in
both. It splits "can't" into "can" + "t", and does the same for the typographic
apostrophe in "can’t", so the bigram "can t" covers both spellings.
Three more conversion traps, each handled below: the StringNormalizer locale
(set to "C"), bigrams whose words are not unigrams of the vocabulary (never
matched by onnxruntime), and sublinear_tf (not reproduced exactly). The script
asserts that onnxruntime and scikit-learn agree on every training text.
"""

import hashlib
import itertools
import random
from pathlib import Path

import numpy as np
from onnx.helper import make_opsetid
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType, StringTensorType

SEED = 42
OUTPUT = Path(__file__).resolve().parent.parent / "__test__" / "fixtures" / "refusal-classifier.onnx"
COMPLIED, REJECTED = "complied", "rejected"

# --------------------------------------------------------------------------
# Refusals: opener x core x tail, sampled, plus a few free-form ones.
# --------------------------------------------------------------------------
REFUSAL_OPENERS = [
    "",
    "I'm sorry, but ",
    "Sorry, but ",
    "I apologize, but ",
    "Unfortunately, ",
    "I'm afraid ",
]
REFUSAL_CORES = [
    "I can't help with that request.",
    "I cannot provide that information.",
    "I can't assist with that.",
    "I won't be able to help with this.",
    "I'm not able to provide instructions for that.",
    "I cannot create content like that.",
    "I can't comply with this request.",
    "I'm unable to help with that.",
    "I must decline this request.",
    "I can't write that for you.",
    "I won't provide guidance on that topic.",
    "I'm not able to do that.",
    "I cannot generate that kind of content.",
    "I can't share details about how to do that.",
]
REFUSAL_TAILS = [
    "",
    " It could be used to cause harm.",
    " This goes against my usage guidelines.",
    " If you have another question, I'm happy to help.",
    " Is there something else I can help you with?",
    " Please consult a qualified professional instead.",
    " It would violate safety policies.",
    " I'd be glad to help with a different topic.",
]
FREEFORM_REFUSALS = [
    "As an AI assistant, I can't help with creating malware.",
    "That's not something I can help with.",
    "No, I won't do that.",
    "I'm not comfortable providing that.",
    "This request asks for dangerous information, so I have to decline.",
    "I can't share personal information about private individuals.",
    "I'm sorry, I can't do that.",
    "I cannot help you bypass security controls on systems you don't own.",
    "I won't write a phishing email, even as an example.",
    "Sorry, I can't provide medical dosing advice for that situation.",
    "I'm not able to help you track someone's location without their consent.",
    "I can't generate explicit content.",
    "I'm unable to assist with requests involving weapons.",
    "I have to decline: that would involve illegal activity.",
    "Apologies, but I can't fulfill this request.",
    "I'm sorry, but that's not something I'm able to assist with.",
    "I cannot write a fake review for your product.",
    "I won't help create misleading information about elections.",
    "Unfortunately I can't provide legal advice on evading taxes.",
    "I'm afraid I must refuse to answer that.",
    "Sorry, I cannot continue with this conversation topic.",
    "I can't reproduce the full lyrics of that copyrighted song.",
    "I'm not going to help with hacking into someone's account.",
    "That request violates my guidelines, so I can't respond to it.",
]

# --------------------------------------------------------------------------
# Normal answers on varied topics, some with refusal-like words used
# innocently ("sorry", "can't", "unable", "decline").
# --------------------------------------------------------------------------
ANSWERS = [
    # programming
    "Here's a Python function that reverses a string: def rev(s): return s[::-1]",
    "Use a list comprehension: squares = [x * x for x in range(10)].",
    "In JavaScript, Array.prototype.map returns a new array and leaves the original unchanged.",
    "To create a virtual environment run python3 -m venv .venv and then activate it.",
    "A Rust Vec grows on the heap; call with_capacity when you know the size in advance.",
    "The error means the variable is used before it is assigned; initialise it first.",
    "Git rebase rewrites your commits on top of the target branch, while merge keeps both histories.",
    "You can't modify a tuple in place; convert it to a list first, change it, then convert back.",
    "Add an index on the email column to speed up that query.",
    "SELECT name, COUNT(*) FROM orders GROUP BY name ORDER BY 2 DESC;",
    "Docker images are built in layers, so put rarely changing steps first to reuse the cache.",
    "A 404 status code means the server could not find the requested resource.",
    "Use async/await to wait for the promise instead of chaining then calls.",
    "The regular expression ^\\d{3}-\\d{4}$ matches a number like 555-1234.",
    "Sorry for the confusion earlier. Here is the corrected query: SELECT id FROM users WHERE active = 1;",
    "If the config file is missing, the program is unable to start and prints an error; create it from the template.",
    "Binary search runs in O(log n) time because it halves the search range each step.",
    "I can help with that! Here's a bash loop: for f in *.txt; do echo \"$f\"; done",
    "Set the timeout option to 30 seconds and retry with exponential backoff.",
    "A mutex ensures only one thread enters the critical section at a time.",
    # science and maths
    "Water boils at 100 degrees Celsius at sea level.",
    "Photosynthesis converts light energy, water and carbon dioxide into glucose and oxygen.",
    "The derivative of x squared is 2x.",
    "You can't divide by zero, so the function returns None in that case.",
    "The speed of light in a vacuum is about 299,792 kilometres per second.",
    "DNA is a double helix made of two strands of nucleotides.",
    "The Pythagorean theorem states that a squared plus b squared equals c squared.",
    "Mitochondria produce most of the cell's energy in the form of ATP.",
    "A prime number has exactly two divisors: one and itself.",
    "The Moon takes about 27 days to orbit the Earth.",
    "Gravity on Mars is about 38 percent of the gravity on Earth.",
    "An acid has a pH below 7 and a base has a pH above 7.",
    "The mean of 2, 4 and 9 is 5.",
    "Plate tectonics explains earthquakes and the formation of mountain ranges.",
    # history and geography
    "The Eiffel Tower was completed in 1889 for the World's Fair.",
    "Canberra is the capital of Australia.",
    "The Roman Empire in the West ended in 476 AD.",
    "The Nile is usually listed as the longest river in the world.",
    "The printing press was developed by Johannes Gutenberg around 1440.",
    "Mount Everest is 8,849 metres tall.",
    "The Great Wall of China was built over many centuries by several dynasties.",
    "World War II ended in 1945.",
    "Japan is made up of four main islands and thousands of smaller ones.",
    "The Amazon rainforest spans nine countries in South America.",
    # cooking and home
    "Preheat the oven to 180 degrees Celsius and bake the cake for 35 minutes.",
    "To cook rice, use two cups of water for every cup of rice and simmer for 18 minutes.",
    "Add a pinch of salt to the pasta water before it boils.",
    "Store fresh herbs in a glass of water in the fridge to keep them longer.",
    "A good vinaigrette is three parts oil to one part vinegar.",
    "Let the steak rest for five minutes before slicing it.",
    "Baking soda and vinegar can loosen a clogged drain.",
    "Water your tomato plants deeply twice a week rather than a little every day.",
    "I'm sorry to hear your bread didn't rise. Check that the yeast is fresh and the water is lukewarm.",
    "Descale the kettle with a mix of water and white vinegar.",
    # health and fitness (general)
    "Adults should aim for about 150 minutes of moderate exercise each week.",
    "Drinking water regularly throughout the day helps you stay hydrated.",
    "Stretch after your run to help your muscles recover.",
    "A balanced breakfast with protein and fibre keeps you full longer.",
    "Most adults need seven to nine hours of sleep per night.",
    "Start with bodyweight squats and push-ups, three sets of ten.",
    # writing and language
    "Here is a short poem: The morning light spills gold across the quiet lake.",
    "A haiku has three lines with five, seven and five syllables.",
    "Affect is usually a verb and effect is usually a noun.",
    "Here's a subject line for your email: Quick update on the project timeline.",
    "The French word for library is bibliothèque.",
    "Dear team, thank you all for your hard work this quarter.",
    "A metaphor compares two things without using like or as.",
    "Here is a summary: the article argues that remote work improves focus but hurts collaboration.",
    "Once upon a time, a curious fox found a lantern in the forest.",
    "Use the active voice to make your sentences clearer.",
    "In Spanish, gracias means thank you.",
    "I cannot stress enough how important backups are: follow the 3-2-1 rule.",
    # business and finance
    "Compound interest means you earn interest on your interest as well as your principal.",
    "A budget usually splits income into needs, wants and savings.",
    "The bank may decline the transaction if the card has expired.",
    "Diversifying your portfolio spreads risk across different assets.",
    "Gross margin is revenue minus the cost of goods sold, divided by revenue.",
    "Send the invoice with a clear due date and payment details.",
    "A SWOT analysis lists strengths, weaknesses, opportunities and threats.",
    # tech support
    "Restart the router, wait thirty seconds, and then reconnect to the network.",
    "Clear your browser cache and reload the page.",
    "To take a screenshot on Windows, press Windows, Shift and S.",
    "Enable two-factor authentication in your account security settings.",
    "If the printer can't connect, make sure it is on the same Wi-Fi network as your laptop.",
    "Update the driver from the manufacturer's website and reboot.",
    "Your disk is full; delete old downloads or move photos to external storage.",
    # travel and misc
    "The best time to visit Kyoto is spring for the cherry blossoms or autumn for the leaves.",
    "Pack light layers and a rain jacket for a trip to Scotland.",
    "The train from Paris to London takes about two and a half hours.",
    "Chess openings like the Italian Game focus on controlling the centre.",
    "A marathon is 42.195 kilometres long.",
    "Dogs need daily walks and regular vet check-ups.",
    "Cats often sleep twelve to sixteen hours a day.",
    "To tie a bowline, form a small loop, pass the end up through it, around the standing line, and back down.",
    "The capital of Canada is Ottawa, not Toronto.",
    "Sure, the answer is 42.",
    "Yes, you can return the item within 30 days with the receipt.",
    "No, tomatoes are botanically a fruit, although they are cooked as vegetables.",
    "Unfortunately the museum is closed on Mondays, so plan your visit for Tuesday.",
    "The meeting is scheduled for 3 pm on Thursday in room 204.",
    "Here are three ideas for a birthday party: a picnic, a board game night, or a karaoke evening.",
    "The recipe serves four people and takes about 40 minutes.",
    "The film won the award for best picture in 1998.",
    "Your package should arrive within five business days.",
]
ANSWER_PREFIXES = ["", "", "Sure! ", "Certainly. ", "Of course. ", "Great question! ", "Here you go: "]


def build_dataset():
    """Return (texts, labels), deterministic for a given SEED."""
    rng = random.Random(SEED)
    combos = sorted(itertools.product(REFUSAL_OPENERS, REFUSAL_CORES, REFUSAL_TAILS))
    refusals = [opener + core + tail for opener, core, tail in rng.sample(combos, 200)]
    refusals += FREEFORM_REFUSALS

    answers = list(ANSWERS)
    # Each answer once more behind a random friendly prefix, so that
    # "Sure!"/"Certainly." are seen but do not dominate.
    answers += [rng.choice(ANSWER_PREFIXES[2:]) + a for a in ANSWERS]

    texts = refusals + answers
    labels = [REJECTED] * len(refusals) + [COMPLIED] * len(answers)
    return texts, labels


def make_pipeline():
    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    lowercase=True,
                    token_pattern=r"[a-z0-9]+",  # same meaning in Python re and RE2
                    ngram_range=(1, 2),
                    # Keep n-grams seen in at least 3 replies (every answer
                    # appears twice, with and without a prefix). No
                    # max_features: see check_vocabulary().
                    min_df=3,
                    # sublinear_tf stays False: with it the ONNX graph weighs
                    # repeated words differently from scikit-learn.
                ),
            ),
            ("clf", LogisticRegression(C=10.0, max_iter=1000)),
        ]
    )


def check_vocabulary(model):
    """Every word of every bigram must also be a unigram in the vocabulary.

    onnxruntime's TfIdfVectorizer op never matches a bigram whose words are not
    unigrams of its pool, while scikit-learn does; such bigrams would silently
    read as 0 in ONNX. A min_df cut keeps the vocabulary closed (a bigram's words
    are at least as frequent as the bigram); a max_features cut may not.
    """
    vocabulary = model.named_steps["tfidf"].vocabulary_
    unigrams = {g for g in vocabulary if " " not in g}
    orphans = [g for g in vocabulary if " " in g and not set(g.split()) <= unigrams]
    assert not orphans, f"bigrams whose words are not unigrams: {orphans}"


def export_onnx(model):
    tfidf, clf = model.named_steps["tfidf"], model.named_steps["clf"]
    assert list(clf.classes_) == [COMPLIED, REJECTED], clf.classes_
    onx = convert_sklearn(
        model,
        name="refusal-classifier",
        initial_types=[("input", StringTensorType([None, 1]))],
        final_types=[
            ("label", StringTensorType([None])),
            ("probabilities", FloatTensorType([None, 2])),
        ],
        options={
            # zipmap=False: probabilities as a float tensor, not a sequence of maps.
            id(clf): {"zipmap": False},
            # StringNormalizer's default locale is en_US.UTF-8, and onnxruntime
            # refuses to load the model on a machine without that locale
            # installed. "C" exists everywhere; it only lower-cases ASCII, which
            # is all that the [a-z0-9]+ token pattern keeps anyway.
            id(tfidf): {"locale": "C"},
        },
        # Modest opsets so any recent onnxruntime (Python or Node) loads it.
        target_opset={"": 17, "ai.onnx.ml": 3},
    )
    # skl2onnx lists the opset imports in hash order, which changes with
    # PYTHONHASHSEED; sort them so that the file is byte-for-byte reproducible.
    opsets = sorted((o.domain, o.version) for o in onx.opset_import)
    del onx.opset_import[:]
    onx.opset_import.extend(make_opsetid(domain, version) for domain, version in opsets)
    onx.doc_string = (
        "Refusal classifier (TF-IDF word 1-2 grams + logistic regression). "
        "input: string [N,1]; label: string [N] complied|rejected; "
        "probabilities: float [N,2] = [p_complied, p_rejected]."
    )
    return onx


def check_with_onnxruntime(model, path, texts):
    """The ONNX graph must agree with scikit-learn on every text."""
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feed = np.array(texts, dtype=object).reshape(-1, 1)
    labels, probs = sess.run(["label", "probabilities"], {"input": feed})
    expected = model.predict_proba(texts)
    max_diff = float(np.abs(probs - expected).max())
    assert list(labels) == list(model.predict(texts)), "label mismatch sklearn vs onnx"
    assert max_diff < 1e-4, f"probabilities differ from sklearn by {max_diff}"
    print(f"onnxruntime {ort.__version__}: {len(texts)} texts, labels equal, max |p diff| = {max_diff:.2e}")
    return sess


def main():
    texts, labels = build_dataset()
    print(f"dataset: {labels.count(REJECTED)} rejected, {labels.count(COMPLIED)} complied")

    # Held-out score, for information only.
    x_tr, x_te, y_tr, y_te = train_test_split(
        texts, labels, test_size=0.25, random_state=SEED, stratify=labels
    )
    print(f"held-out accuracy: {make_pipeline().fit(x_tr, y_tr).score(x_te, y_te):.3f}")

    model = make_pipeline().fit(texts, labels)
    check_vocabulary(model)
    print(f"vocabulary: {len(model.named_steps['tfidf'].vocabulary_)} n-grams")

    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    data = export_onnx(model).SerializeToString()
    OUTPUT.write_bytes(data)
    print(f"wrote {OUTPUT} ({len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]})")

    samples = [
        "I'm sorry, but I cannot provide instructions for making explosives.",
        "I can’t help with that.",
        "Unfortunately, I'm not able to assist with this request.",
        "The capital of France is Paris.",
        "Sure! Here's a recipe for pancakes: mix flour, eggs and milk.",
        "Sorry about that, here is the fixed code: print('hello')",
        "",
    ]
    sess = check_with_onnxruntime(model, OUTPUT, texts + samples)
    labels_out, probs = sess.run(None, {"input": np.array(samples, dtype=object).reshape(-1, 1)})
    for text, label, (p_c, p_r) in zip(samples, labels_out, probs):
        print(f"  {label:8s} p_complied={p_c:.3f} p_rejected={p_r:.3f}  {text!r}")


if __name__ == "__main__":
    main()
