"""Draw the integration's brand images into custom_components/cxengage/brand/.

The mark is a speech bubble with three rising bars cut out of it: a contact centre's
conversations and their live statistics. The logo adds a "CxEngage" wordmark in the
Aileron font that Pillow embeds, so the output does not depend on installed fonts.
Run it with `scripts/run python scripts/brand.py` after changing the drawing.
"""

# ruff: noqa: INP001 - scripts/ contains commands, not an importable package.

from __future__ import annotations

from dataclasses import dataclass
import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BRAND_DIR = Path(__file__).resolve().parent.parent / "custom_components/cxengage/brand"

# Drawing happens at this multiple of the final size, then a Lanczos downscale
# smooths the edges.
SUPERSAMPLE = 4

# Size of the square icon, and height of the logo, at 1x. The @2x files double them.
ICON_SIZE = 256
LOGO_HEIGHT = 128

WORDMARK = "CxEngage"


@dataclass(frozen=True)
class Theme:
    """Colours of one variant. The dark variants are drawn for a dark background."""

    prefix: str
    mark: tuple[int, int, int]
    text: tuple[int, int, int]


THEMES = (
    Theme(prefix="", mark=(0x15, 0x65, 0xC0), text=(0x1B, 0x26, 0x33)),
    Theme(prefix="dark_", mark=(0x64, 0xB5, 0xF6), text=(0xF1, 0xF4, 0xF8)),
)


def draw_mark_mask(size: int) -> Image.Image:
    """Return the mark's coverage as an L image, `size` pixels square.

    Coordinates below are fractions of `size`: the bubble fills the top 80 %, its
    tail reaches the bottom edge, and the bars are transparent holes.
    """
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
        return (round(x0 * size), round(y0 * size), round(x1 * size), round(y1 * size))

    draw.rounded_rectangle(box(0.0, 0.0, 1.0, 0.8), radius=round(0.2 * size), fill=255)
    draw.polygon(
        [
            (round(0.2 * size), round(0.75 * size)),
            (round(0.46 * size), round(0.75 * size)),
            (round(0.14 * size), size - 1),
        ],
        fill=255,
    )

    bar_width = 0.15
    bar_bottom = 0.63
    for left, height in ((0.2, 0.2), (0.425, 0.32), (0.65, 0.45)):
        draw.rounded_rectangle(
            box(left, bar_bottom - height, left + bar_width, bar_bottom),
            radius=round(0.035 * size),
            fill=0,
        )
    return mask


def colour_mask(mask: Image.Image, colour: tuple[int, int, int]) -> Image.Image:
    """Return an RGBA image of `colour`, with `mask` as its alpha channel."""
    image = Image.new("RGBA", mask.size, (*colour, 0))
    image.putalpha(mask)
    return image


def trim(image: Image.Image) -> Image.Image:
    """Crop the fully transparent border."""
    bbox = image.getchannel("A").getbbox()
    if bbox is None:
        msg = "the image is fully transparent"
        raise ValueError(msg)
    return image.crop(bbox)


def render_icon(theme: Theme, size: int) -> Image.Image:
    """Render the square icon, `size` pixels wide."""
    big = draw_mark_mask(size * SUPERSAMPLE)
    return colour_mask(big, theme.mark).resize((size, size), Image.Resampling.LANCZOS)


def render_logo(theme: Theme, height: int) -> Image.Image:
    """Render the mark followed by the wordmark, `height` pixels high and trimmed."""
    scale = height * SUPERSAMPLE
    mark = draw_mark_mask(scale)

    font = ImageFont.load_default(size=round(0.62 * scale))
    stroke = round(0.012 * scale)
    left, top, right, bottom = font.getbbox(WORDMARK, stroke_width=stroke)
    gap = round(0.16 * scale)
    width = scale + gap + math.ceil(right - left)

    canvas = Image.new("RGBA", (width, scale), (0, 0, 0, 0))
    canvas.alpha_composite(colour_mask(mark, theme.mark))

    # Centre the text's ink on the bubble, which fills the top 80 % of the mark.
    text_y = round(0.4 * scale - (top + bottom) / 2)
    ImageDraw.Draw(canvas).text(
        (scale + gap - left, text_y),
        WORDMARK,
        font=font,
        fill=(*theme.text, 255),
        stroke_width=stroke,
        stroke_fill=(*theme.text, 255),
    )

    canvas = trim(canvas)
    final_width = round(canvas.width * height / canvas.height)
    return canvas.resize((final_width, height), Image.Resampling.LANCZOS)


def save(image: Image.Image, name: str) -> None:
    """Write `image` as a palette PNG into the brand folder.

    Each image holds only two colours at varying opacity, so a 256-entry RGBA
    palette keeps it unchanged to the eye and cuts the file size by more than half.
    """
    path = BRAND_DIR / name
    image.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(
        path, optimize=True
    )
    print(f"{path.name}: {image.width}x{image.height}, {path.stat().st_size} bytes")  # noqa: T201


def main() -> None:
    """Write the icon and logo of every theme at 1x and 2x."""
    BRAND_DIR.mkdir(exist_ok=True)
    for theme in THEMES:
        for factor, suffix in ((1, ""), (2, "@2x")):
            save(
                render_icon(theme, ICON_SIZE * factor),
                f"{theme.prefix}icon{suffix}.png",
            )
            save(
                render_logo(theme, LOGO_HEIGHT * factor),
                f"{theme.prefix}logo{suffix}.png",
            )


if __name__ == "__main__":
    main()
