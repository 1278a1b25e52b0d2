"""The README's pictures of a sample's outputs: a result card, the announcement's chart and the results page.

    python samples/make_pictures.py samples/hung-yen-2018

Builds the sample into a temporary folder, converts the first card and the announcement with LibreOffice
(``soffice --headless --convert-to pdf``) and renders one page of each with poppler (``pdftoppm``), and takes a
screenshot of ``ket-qua.html`` in headless Chromium (selenium, ``/usr/bin/chromedriver``). The pictures are
written to ``<sample>/pictures/``: ``phieu-ket-qua.png``, ``bieu-do-thong-bao.png``, ``trang-ket-qua.png``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import egov_xlsx


def _pdf(soffice: str, document: Path, out: Path) -> Path:
    profile = (out / "lo-profile").as_uri()
    cmd = [soffice, "--headless", f"-env:UserInstallation={profile}", "--convert-to", "pdf", "--outdir", str(out)]
    subprocess.run([*cmd, str(document)], check=True, capture_output=True, timeout=300)
    return out / f"{document.stem}.pdf"


def _png(pdf: Path, page: int, target: Path, dpi: int = 70) -> None:
    stem = target.with_suffix("")
    cmd = ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile"]
    subprocess.run([*cmd, str(pdf), str(stem)], check=True)


def _screenshot(page: Path, target: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in ("--headless=new", "--disable-gpu", "--window-size=1100,1400", "--hide-scrollbars"):
        options.add_argument(arg)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        options.add_argument("--no-sandbox")
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    try:
        driver.get(page.as_uri())
        driver.save_screenshot(str(target))
    finally:
        driver.quit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sample", type=Path)
    args = parser.parse_args(argv)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is needed")
    pictures = args.sample / "pictures"
    pictures.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        out = work / "out"
        egov_xlsx.build(args.sample, out)
        first_card = sorted((out / "don-vi").glob("*.docx"))[0]
        card = sorted((out / "don-vi").glob("SKHDT - *.docx")) or [first_card]
        _png(_pdf(soffice, card[0], work), 1, pictures / "phieu-ket-qua.png")
        _png(_pdf(soffice, out / "thong-bao.docx", work), 1, pictures / "bieu-do-thong-bao.png")
        _screenshot(out / "ket-qua.html", pictures / "trang-ket-qua.png")
    for name in ("phieu-ket-qua.png", "bieu-do-thong-bao.png", "trang-ket-qua.png"):
        print(pictures / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
