"""Make the site's math font, ``parameter_lab/runtime/fonts/plab-math.woff2``: a subset of
STIX Math (SIL Open Font License 1.1) that keeps its OpenType MATH table, so MathML's
fractions, roots, stretchy brackets and braces are drawn from it on every device, phones
without a math font included. Run once when the subset should change; the result is
committed, so neither a build nor CI needs this script or fontTools.

    python tools/subset_math_font.py /usr/share/fonts/opentype/stix-word/STIXMath-Regular.otf

(Debian's ``fonts-stix`` package holds that file.) The family is renamed, as the licence
asks of a modified font, and the licence goes beside the font.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

OUT = Path(__file__).resolve().parent / "parameter_lab" / "runtime" / "fonts" / "plab-math.woff2"
FAMILY = "PLab Math"
# Latin, Greek, the operators, relations, arrows and delimiters of school and ML maths, and
# the math alphabets MathML Core draws (italic for single-letter <mi>, bold, double-struck).
UNICODES = (
    "U+0020-007E,U+00A0-00FF,U+0131,U+0237,U+0391-03A9,U+03B1-03C9,U+03D1,U+03D5,"
    "U+02C6-02C7,U+02D8-02DC,U+03F0-03F1,U+03F5,U+2016,U+2026,U+2032-2034,U+2061-2064,U+2102,U+210E,U+2115,"
    "U+2119-211A,U+211D,U+2124,U+2190-2199,U+21A6,U+21D0-21D5,U+2200-2209,U+220F-221E,"
    "U+2223-222B,U+2234-2235,U+223C,U+2243,U+2245,U+2248,U+2260-2265,U+226A-226B,"
    "U+2282-2287,U+2295-2299,U+22A4-22A5,U+22C5,U+22EE-22F1,U+2308-230B,U+23B4-23B5,"
    "U+23DC-23E1,U+27E8-27E9,U+1D400-1D467,U+1D538-1D56B,U+1D6A8-1D71B"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path, help="STIXMath-Regular.otf")
    args = parser.parse_args()
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # MathML needs ssty, the script-size variants
    options.name_IDs = ["*"]
    font = TTFont(args.source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=subset.parse_unicodes(UNICODES))
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = FAMILY
        elif record.nameID == 6:
            record.string = FAMILY.replace(" ", "")
    font.flavor = "woff2"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(OUT)
    print(f"{OUT}: {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
