"""Builds data/pii/labelled.jsonl, the labelled PII set `make bench` measures redaction on.

Two parts:
- `dstc11`: customer utterances written by people (DSTC11 Track 2, insurance development set,
  CDLA-Permissive-2.0, bundled in data/public/dstc11_intents), labelled by hand below: every
  person's name, date of birth, e-mail, phone, card, account/policy and routing number, SSN and
  street address. Utterances without personal data are kept too (they measure false positives).
- `spoken`/`written`: contact-center utterances made from templates with fictional values, in the
  forms ASR produces (digits spelled out, "oh" for zero, "double", split groups, spelled e-mails,
  Chinese digits and resident IDs), plus hard negatives (amounts, rates, dates, counts).

Run: .venv/bin/python scripts/build_pii_set.py  (deterministic; the output is committed).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DSTC11 = ROOT / "data" / "public" / "dstc11_intents" / "development_insurance_utterances.jsonl"
OUT = ROOT / "data" / "pii" / "labelled.jsonl"

# utterance id -> [(kind, exact text)]; [] = no personal data. Labelled by hand.
DSTC11_LABELS: dict[str, list[tuple[str, str]]] = {
    "insurance_0005": [("NAME", "Alisa Keller")],
    "insurance_0010": [("NAME", "george smith")],
    "insurance_0022": [("NAME", "Helen Norris")],
    "insurance_0026": [("NAME", "John Alley")],
    "insurance_0032": [("NAME", "george hall")],
    "insurance_0037": [("NAME", "Mike")],
    "insurance_0068": [("NAME", "Miriam"), ("NAME", "Robert Jones")],
    "insurance_0071": [("NAME", "Francis")],
    "insurance_0073": [("NAME", "george smith"), ("NAME", "melody smith")],
    "insurance_0074": [("NAME", "Fred McEnerny"), ("NAME", "Glenn Ramirez")],
    "insurance_0076": [("NAME", "Jakob McGee"), ("DOB", "Sep. 20, 1962")],
    "insurance_0077": [("NAME", "Sara Lee"), ("NAME", "Elon")],
    "insurance_0080": [("NAME", "April Mitchell")],
    "insurance_0091": [("NAME", "Iris Gritman")],
    "insurance_0092": [("NAME", "Gwendolyn Rivera")],
    "insurance_0106": [("NAME", "Laurie")],
    "insurance_0107": [("ADDRESS", "331 Vine Street")],
    "insurance_0114": [("NAME", "Amanda")],
    "insurance_0116": [("NAME", "Robert")],
    "insurance_0118": [("NAME", "Edgar O'Bailey"), ("DOB", "02/22/1977"), ("EMAIL", "egdar_not_allenpoe@gmail.com")],
    "insurance_0132": [("NAME", "Bradley")],
    "insurance_0138": [("NAME", "Jennifer")],
    "insurance_0147": [("NAME", "Samantha Rhiner")],
    "insurance_0171": [("ACCOUNT", "468646993"), ("NAME", "Linda"), ("NAME", "London")],
    "insurance_0173": [("NAME", "Mia Reese"), ("DOB", "September 19th 1981"), ("PHONE", "956-729-4344"),
                       ("EMAIL", "mia.rulesdaworld81@hotmail.com")],
    "insurance_0175": [("NAME", "jenny lee")],
    "insurance_0179": [("NAME", "Gloria Kelly"), ("DOB", "May 1, 1982")],
    "insurance_0180": [("NAME", "Henry Harris")],
    "insurance_0181": [("NAME", "Amanda")],
    "insurance_0190": [("NAME", "David Rice")],
    "insurance_0193": [("NAME", "Wilson"), ("DOB", "Apr 3, 1990")],
    "insurance_0194": [("NAME", "Dora Wilson")],
    "insurance_0199": [("NAME", "Arthur")],
    "insurance_0200": [("ACCOUNT", "772891821")],
    "insurance_0201": [("NAME", "Nia Hardy"), ("ACCOUNT", "468646993")],
    "insurance_0206": [("EMAIL", "madelynn.franecki@yahoo.com")],
    "insurance_0210": [("NAME", "Peter")],
    "insurance_0211": [("NAME", "Robert")],
    "insurance_0216": [("NAME", "Marianne")],
    "insurance_0217": [("PHONE", "546 158 1578")],
    "insurance_0219": [("ACCOUNT", "182950185718")],
    "insurance_0220": [("NAME", "George")],
    "insurance_0222": [("ACCOUNT", "3829384918")],
    "insurance_0224": [("NAME", "Gorge")],
    "insurance_0227": [("NAME", "Oscar Jackson")],
    "insurance_0229": [("EMAIL", "violin_master841@hotmail.com")],
    "insurance_0233": [("NAME", "Jane Donovan"), ("ACCOUNT", "84831875"), ("PHONE", "518-535-2722")],
    "insurance_0234": [("NAME", "Jonathan Pace"), ("PHONE", "281-277-5882"),
                       ("EMAIL", "jon.graphicnovelist1971@gmail.com")],
    "insurance_0237": [("NAME", "Kevin Cruz"), ("EMAIL", "KevinCCC@gmail.com"), ("ACCOUNT", "1581018771")],
    "insurance_0239": [("NAME", "Seth Aguirre"), ("ACCOUNT", "515477235"), ("ACCOUNT", "4163628333")],
    "insurance_0244": [("EMAIL", "landter34@gmail.com"), ("NAME", "Caroline Humbert")],
    "insurance_0245": [("NAME", "Melody Glenn"), ("ACCOUNT", "484666681"), ("ACCOUNT", "2983095570"),
                       ("ROUTING", "518443979")],
    "insurance_0246": [("NAME", "Isaac Andrews")],
    "insurance_0247": [("NAME", "Boris"), ("ACCOUNT", "5148054475")],
    "insurance_0249": [("ACCOUNT", "558192058")],
    "insurance_0252": [("NAME", "Sam Holly"), ("ACCOUNT", "2918812342")],
    "insurance_0257": [("ACCOUNT", "2918293842")],
    "insurance_0258": [("NAME", "Trish")],
    "insurance_0262": [("NAME", "Moise")],
    "insurance_0265": [("NAME", "Miranda Stone"), ("ACCOUNT", "468646993"), ("ACCOUNT", "9160287191"),
                       ("ROUTING", "270779906")],
    "insurance_0272": [("NAME", "Kaden Sandoval")],
    "insurance_0273": [("NAME", "Curtis")],
    "insurance_0274": [("NAME", "Brenda Weber"), ("CARD", "4035 6738 2225 8104"), ("ACCOUNT", "0183362238"),
                       ("ROUTING", "539816220")],
    "insurance_0281": [("NAME", "William"), ("ACCOUNT", "5158802054")],
    "insurance_0319": [("NAME", "Olivia")],
    "insurance_0320": [("NAME", "Sarah Schnibel"), ("ACCOUNT", "2883442342")],
    "insurance_0323": [("NAME", "Oliver Jennings"), ("ACCOUNT", "848318752"), ("ACCOUNT", "0183362238")],
    "insurance_0359": [("ACCOUNT", "382938213")],
    "insurance_0363": [("NAME", "Dante Gregory")],
    "insurance_0368": [("NAME", "George")],
    "insurance_0376": [("NAME", "Mike Oliver"), ("PHONE", "361-208-9572"), ("ACCOUNT", "711155770")],
    "insurance_0378": [("NAME", "Mark Clarkson")],
    "insurance_0391": [("NAME", "Amanda"), ("CARD", "5445 8595 5625 5525")],
    "insurance_0396": [("NAME", "Miachel")],
    "insurance_0399": [("ADDRESS", "455 Patterson Road, Garden City, NY")],
    "insurance_0407": [("ACCOUNT", "8237333842")],
    "insurance_0412": [("NAME", "Alisa Keller")],
    "insurance_0434": [("NAME", "Wilson")],
    "insurance_0437": [("NAME", "Vivian"), ("ACCOUNT", "22150215")],
    "insurance_0440": [("NAME", "Maria")],
    "insurance_0462": [("NAME", "Bryanna Compton")],
    "insurance_0464": [("NAME", "Jorge")],
    "insurance_0466": [("ADDRESS", "13409 Ridgeville Rd")],
    "insurance_0468": [("NAME", "Madelynn Christian"), ("PHONE", "251-746-6999")],
    "insurance_0472": [("ADDRESS", "444 Pinnickinick Street, Gardiner, WA")],
    "insurance_0476": [("NAME", "Jason")],
    "insurance_0482": [("NAME", "Marcus")],
    "insurance_0491": [("NAME", "Anabelle Lin"), ("ADDRESS", "3826 Blake Road")],
    "insurance_0497": [("NAME", "Andrew Goodey")],
    "insurance_0507": [("NAME", "Logan Stokes"), ("DOB", "July 23rd 1960"), ("ACCOUNT", "178498004")],
    "insurance_0508": [("NAME", "Nancy")],
    "insurance_0518": [("ACCOUNT", "737126461"), ("NAME", "Patricia Stanley")],
    "insurance_0519": [("NAME", "Patrick")],
    "insurance_0521": [("ADDRESS", "822 Clover Center")],
    "insurance_0527": [("NAME", "Jordan Hydes")],
    "insurance_0532": [("NAME", "Carl Perez")],
    "insurance_0536": [("NAME", "Issac Wagner"), ("ACCOUNT", "614258270"), ("ACCOUNT", "7195456512"),
                       ("ROUTING", "726078158")],
    "insurance_0540": [("NAME", "Tracy"), ("ACCOUNT", "1580245870"),
                       ("ADDRESS", "2609 Ramona Blvd, Portland, OR 88504")],
    "insurance_0545": [("NAME", "george smith")],
    "insurance_0552": [("NAME", "Stull")],
    "insurance_0561": [("NAME", "Roberta")],
    "insurance_0563": [("NAME", "Claire")],
    "insurance_0568": [("NAME", "Jimmy"), ("ADDRESS", "4819 Woodey Boulevard, Pittsburgh, PA 49058")],
    "insurance_0578": [("NAME", "McKenzie Ashley")],
    "insurance_0582": [("NAME", "Violet Paul")],
    "insurance_0591": [("NAME", "David")],
    "insurance_0637": [("NAME", "Tina Copeland")],
    "insurance_0639": [("NAME", "Susan")],
    "insurance_0640": [("NAME", "Gianna Harrell"), ("ADDRESS", "800 Southern Avenue")],
    "insurance_0659": [("NAME", "Eric Silverstein"), ("ACCOUNT", "867420392"),
                       ("EMAIL", "silverstien.bestlawyer2@gmail.com")],
    "insurance_0661": [("NAME", "Dylan Daves")],
    "insurance_0669": [("NAME", "Melissa Potts")],
    "insurance_0671": [("NAME", "Alan")],
    "insurance_0672": [("NAME", "Francis"), ("NAME", "Bert"), ("EMAIL", "fg56@gmail.com")],
    "insurance_0675": [("NAME", "Evelyn Brown")],
    "insurance_0676": [("NAME", "Ashley")],
    "insurance_0680": [("NAME", "McDade")],
    "insurance_0691": [("NAME", "Josh Good")],
    "insurance_0715": [("NAME", "Jessica Sawyer"), ("ADDRESS", "3214 Kempwood Drive"), ("SSN", "469-29-9659")],
    "insurance_0723": [("NAME", "AManda Tran"), ("PHONE", "415 589 5478"), ("DOB", "october 6th. 1998")],
    "insurance_0726": [("NAME", "Julianna Zhang"), ("NAME", "Shaun O'Neal")],
    "insurance_0731": [("NAME", "Rose")],
    "insurance_0733": [("NAME", "Charles")],
    "insurance_0740": [("NAME", "Jay")],
    "insurance_0742": [("NAME", "Francis")],
    "insurance_0745": [("NAME", "Karen")],
    "insurance_0749": [("ACCOUNT", "2682224363")],
    "insurance_0751": [("NAME", "Karen Clark"), ("ADDRESS", "5158 Peck Ave, carlton, KS 67448")],
    "insurance_0777": [("NAME", "George Mansker")],
    "insurance_0789": [("NAME", "Alice")],
    "insurance_0799": [("ACCOUNT", "468646994"), ("EMAIL", "mazie.boyle@yahoo.com")],
    "insurance_0821": [("NAME", "Frank")],
    "insurance_0825": [("NAME", "Barry Stevens")],
    "insurance_0837": [("NAME", "Marcus")],
    "insurance_0846": [("NAME", "Bryan")],
    "insurance_0847": [("NAME", "Devon Henry"), ("DOB", "05/29/1976")],
    "insurance_0875": [("ACCOUNT", "954857074"), ("NAME", "Mark Hansen")],
    "insurance_0880": [("NAME", "Michael Chew")],
    "insurance_0882": [("NAME", "lola")],
    "insurance_0884": [("NAME", "Michelle")],
    "insurance_0891": [("NAME", "Jacqueline Salazar")],
    "insurance_0892": [("NAME", "Adrian Schmidt"), ("ACCOUNT", "515477231")],
    "insurance_0893": [("NAME", "janet")],
    "insurance_0900": [("NAME", "Isabella Ortíz")],
    "insurance_0912": [("NAME", "Michelle")],
    # no personal data, several with numbers, dates, places and products
    **{f"insurance_{n:04d}": [] for n in (
        1, 2, 20, 27, 45, 46, 78, 95, 109, 136, 139, 142, 144, 152, 153, 164, 196, 207, 228, 238, 270, 278,
        284, 288, 292, 300, 318, 325, 362, 367, 409, 413, 443, 446, 461, 465, 475, 495, 517, 531, 541, 574,
        585, 595, 618, 650, 660, 664, 674, 684, 706, 717, 735, 755, 783, 804, 807, 838, 857, 868, 888, 910)},
}
# Spans labelled elsewhere in an utterance with a name: 0300 (Amanda), 0684 (george smith) are kept
# as negatives for their dates/numbers, so their names are labelled here.
DSTC11_LABELS["insurance_0300"] = [("NAME", "Amanda")]
DSTC11_LABELS["insurance_0684"] = [("NAME", "george smith")]

FIRST = ["Avery", "Blake", "Carmen", "Darius", "Elena", "Farah", "Gavin", "Hana", "Idris", "Jolene", "Kofi",
         "Lucia", "Marek", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Soren", "Tamsin", "Umar", "Vera"]
LAST = ["Abernathy", "Brightwater", "Castellano", "Dunmore", "Eskildsen", "Fairweather", "Galloway", "Holloway",
        "Ingram", "Jablonski", "Kowalczyk", "Lindqvist", "Montague", "Northcott", "Okonkwo", "Pemberton"]
STREETS = ["Maple Avenue", "Birch Lane", "Harbor Road", "Cedar Street", "Willow Drive", "Summit Boulevard",
           "Orchard Court", "Lakeview Terrace"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
CN_DIGITS = "零一二三四五六七八九"
TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
         "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
            "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
            "eighteenth", "nineteenth", "twentieth", "twenty first", "twenty second", "twenty third",
            "twenty fourth", "twenty fifth", "twenty sixth", "twenty seventh", "twenty eighth"]


def luhn_complete(prefix: str) -> str:
    for check in "0123456789":
        digits = prefix + check
        total = sum((int(c) * 2 - 9 if int(c) * 2 > 9 else int(c) * 2) if i % 2 else int(c)
                    for i, c in enumerate(reversed(digits)))
        if total % 10 == 0:
            return digits
    raise AssertionError


def aba_complete(prefix: str) -> str:
    for check in "0123456789":
        d = [int(c) for c in prefix + check]
        if (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8]) % 10 == 0:
            return prefix + check
    raise AssertionError


def cn_id(rng: random.Random) -> str:
    weights, checks = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), "10X98765432"
    body = f"{rng.choice(['110105', '310104', '440305', '510107'])}{rng.randint(1950, 2000)}" \
           f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + checks[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def spoken_digits(digits: str, rng: random.Random, group: int = 4) -> str:
    """Digits said one by one: 'oh' for some zeros, 'double' for some pairs, commas between groups."""
    words, i = [], 0
    while i < len(digits):
        d = digits[i]
        if i + 1 < len(digits) and digits[i + 1] == d and rng.random() < 0.3:
            words.append(f"double {DIGIT_WORDS[int(d)]}")
            i += 2
        else:
            words.append("oh" if d == "0" and rng.random() < 0.6 else DIGIT_WORDS[int(d)])
            i += 1
        if group and i % group == 0 and i < len(digits) and rng.random() < 0.5:
            words[-1] += ","
    return " ".join(words)


def spoken_year(year: int) -> str:
    head, tail = divmod(year, 100)
    return f"{_two(head)} {_two(tail) if tail >= 10 else 'oh ' + DIGIT_WORDS[tail]}"


def spoken_house(number: int) -> str:
    """House numbers as people say them: 'four twelve', 'twelve thirty four', 'twelve hundred'."""
    head, tail = divmod(number, 100)
    if head == 0:
        return _two(tail)
    tail_words = "hundred" if tail == 0 else (_two(tail) if tail >= 10 else f"oh {DIGIT_WORDS[tail]}")
    return f"{_two(head)} {tail_words}"


def _two(n: int) -> str:
    if n < 10:
        return DIGIT_WORDS[n]
    if n < 20:
        return TEENS[n - 10]
    return TENS[n // 10] + ("" if n % 10 == 0 else f" {DIGIT_WORDS[n % 10]}")


def generated(rng: random.Random) -> list[dict]:
    rows: list[dict] = []

    def add(form: str, template: str, **values: tuple[str, str]) -> None:
        text = template.format(**{k: v[1] for k, v in values.items()})
        rows.append({"text": text, "pii": [{"kind": k, "value": v} for k, v in values.values()],
                     "form": form, "source": "generated"})

    for _ in range(14):
        card = luhn_complete(rng.choice(["4", "51", "37", "6011"]) + "".join(rng.choice("0123456789")
                                                                           for _ in range(14 - 1)))[:16]
        card = luhn_complete(card[:15])
        add("spoken", rng.choice(["my card number is {c}", "sure, it's {c}", "the card is {c}, expires next year",
                                  "okay um {c}"]), c=("CARD", spoken_digits(card, rng)))
        add("written", rng.choice(["card number {c} please", "use the card {c}", "it's {c}."]),
            c=("CARD", " ".join(card[i:i + 4] for i in range(0, 16, 4))))
    for _ in range(10):
        ssn = f"{rng.randint(100, 665)}{rng.randint(10, 99)}{rng.randint(1000, 9999)}"
        add("spoken", rng.choice(["my social is {s}", "social security number {s}", "it's {s} for the social"]),
            s=("SSN", spoken_digits(ssn, rng, group=0)))
        add("written", rng.choice(["SSN {s}", "my social security number is {s}"]),
            s=("SSN", f"{ssn[:3]}-{ssn[3:5]}-{ssn[5:]}"))
    for _ in range(5):
        itin = f"9{rng.randint(10, 99)}{rng.choice([70, 75, 80, 88, 90, 94])}{rng.randint(1000, 9999)}"
        add("written", "my ITIN is {i}", i=("ITIN", f"{itin[:3]}-{itin[3:5]}-{itin[5:]}"))
    for _ in range(8):
        routing = aba_complete(rng.choice(["0210", "0260", "1210", "3222", "0110"]) + f"{rng.randint(0, 9999):04d}")
        account = "".join(rng.choice("0123456789") for _ in range(rng.randint(8, 12)))
        add("spoken", "the routing number is {r} and the account is {a}",
            r=("ROUTING", spoken_digits(routing, rng, group=0)), a=("ACCOUNT", spoken_digits(account, rng, group=0)))
        add("written", rng.choice(["routing {r}, account {a}", "my routing number is {r} and account number {a}"]),
            r=("ROUTING", routing), a=("ACCOUNT", account))
    for _ in range(12):
        phone = f"{rng.choice('23456789')}{rng.randint(10, 99)}{rng.choice('23456789')}{rng.randint(10, 99)}" \
                f"{rng.randint(1000, 9999)}"
        add("spoken", rng.choice(["you can reach me at {p}", "my cell is {p}", "call me back on {p}"]),
            p=("PHONE", spoken_digits(phone, rng, group=0)))
        add("written", rng.choice(["my number is {p}", "call {p} after five", "it's {p}"]),
            p=("PHONE", rng.choice([f"{phone[:3]}-{phone[3:6]}-{phone[6:]}", f"({phone[:3]}) {phone[3:6]}-{phone[6:]}",
                                    f"{phone[:3]} {phone[3:6]} {phone[6:]}"])))
    for _ in range(10):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        local = rng.choice([f"{first}.{last}", f"{first[0]}{last}", f"{first}{rng.randint(1, 99)}"]).lower()
        domain = rng.choice(["example.com", "mail.net", "inbox.org"])
        spoken_local = local.replace(".", " dot ")
        add("spoken", "my email is {e}", e=("EMAIL", f"{spoken_local} at {domain.replace('.', ' dot ')}"))
        add("written", rng.choice(["email me at {e}", "send it to {e} please"]), e=("EMAIL", f"{local}@{domain}"))
    for _ in range(12):
        month, day, year = rng.randint(1, 12), rng.randint(1, 28), rng.randint(1945, 2003)
        add("spoken", rng.choice(["I was born {d}", "my date of birth is {d}", "birthday's {d}"]),
            d=("DOB", f"{MONTHS[month - 1].lower()} {ORDINALS[day - 1]} {spoken_year(year)}"))
        add("written", rng.choice(["date of birth {d}", "I was born on {d}", "DOB is {d}"]),
            d=("DOB", rng.choice([f"{month:02d}/{day:02d}/{year}", f"{MONTHS[month - 1]} {day}, {year}"])))
    for _ in range(10):
        number, street = rng.randint(12, 9899), rng.choice(STREETS)
        add("written", rng.choice(["I live at {a}", "the address is {a}", "mail it to {a}, thanks"]),
            a=("ADDRESS", f"{number} {street}"))
        add("spoken", "it's {a}", a=("ADDRESS", f"{spoken_house(number)} {street.lower()}"))
    for _ in range(12):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        templates = ["hi, my name is {n}", "this is {n} calling about my loan", "{n} here, returning your call",
                     "the account holder is registered as {n}"]
        add("written", rng.choice(templates), n=("NAME", f"{first} {last}"))
    for _ in range(6):
        value = cn_id(rng)
        add("written", "我的身份证号是{i}", i=("CN_ID", value))
        mobile = f"1{rng.choice('3456789')}{rng.randint(100000000, 999999999)}"
        add("spoken", "手机号是{m}", m=("PHONE", "".join(CN_DIGITS[int(c)] for c in mobile).replace("一", "幺", 1)))
        add("written", "我的手机是{m}", m=("PHONE", f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}"))
    negatives = [
        "I can pay two hundred dollars on the fifth", "the APR is fourteen point nine nine percent",
        "twelve thousand over thirty six months", "I have one or two questions", "I paid four hundred last week",
        "my credit score is around six ninety", "we have three kids and two cars", "the fee is twenty nine dollars",
        "can I pay on December fifth", "it's been about ten years with you", "call me back in twenty minutes",
        "the loan is for fifteen thousand", "I make about fifty eight thousand a year", "I'll pay $150 on the 1st",
        "rates from 8.99% to 29.99%", "$12,000 over 36 months is about $416 a month", "I was charged $89.99 on "
        "November 16th", "the promo ends 12/31/2026", "my payment posted on 11/03/2026", "the quote holds for 30 days",
        "it went up by 0.25 percent", "press one for English", "I'm in room 204", "it's a 2019 Honda Civic",
        "I need 2 more weeks", "can you send me form 1099", "the reference for the dispute is the 16th",
        "我想还两千块", "利率是百分之十五", "每个月还八百元",
    ]
    for text in negatives:
        rows.append({"text": text, "pii": [], "form": "spoken" if not any(c.isdigit() for c in text) else "written",
                     "source": "generated"})
    return rows


def dstc11_rows() -> list[dict]:
    utterances = {json.loads(line)["utterance_id"]: json.loads(line)["utterance"]
                  for line in DSTC11.read_text().splitlines()}
    rows = []
    for uid, labels in DSTC11_LABELS.items():
        text = utterances[uid]
        for _, value in labels:
            if value not in text:
                raise SystemExit(f"{uid}: {value!r} is not in the utterance")
        rows.append({"text": text, "pii": [{"kind": k, "value": v} for k, v in labels], "form": "written",
                     "source": f"dstc11:{uid}"})
    return rows


def main() -> int:
    if not DSTC11.exists():
        print(f"{DSTC11} not found (the shared data sets live beside the project)", file=sys.stderr)
        return 1
    rows = dstc11_rows() + generated(random.Random(20261125))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(rows)} utterances, {sum(len(r['pii']) for r in rows)} labelled spans")
    return 0


if __name__ == "__main__":
    sys.exit(main())
