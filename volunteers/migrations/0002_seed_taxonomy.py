"""Seed the curated skills taxonomy and the list of languages.

The names and descriptions are marked for translation (gettext_noop leaves them as they are): the database
keeps the English, and the pages show it in the reader's language (Skill and Language's __str__).
"""

from django.db import migrations
from django.utils.text import slugify
from django.utils.translation import gettext_noop

SKILLS = {
    "procedure": [
        (gettext_noop("Embolisation"), gettext_noop("Transcatheter embolisation for bleeding, tumours and vascular malformations.")),
        (gettext_noop("Post-partum haemorrhage embolisation"), gettext_noop("Uterine artery embolisation for post-partum haemorrhage.")),
        (gettext_noop("Image-guided drainage"), gettext_noop("Percutaneous drainage of abscesses and infected collections.")),
        (gettext_noop("Image-guided biopsy"), gettext_noop("Ultrasound- or CT-guided biopsy.")),
        (gettext_noop("Vascular access"), gettext_noop("Central lines, PICCs, ports and dialysis access.")),
        (gettext_noop("Biliary intervention"), gettext_noop("Percutaneous transhepatic cholangiography, drainage and stenting.")),
        (gettext_noop("Nephrostomy"), gettext_noop("Percutaneous nephrostomy and ureteric stenting.")),
        (gettext_noop("Angioplasty and stenting"), gettext_noop("Peripheral arterial and venous angioplasty and stenting.")),
        (gettext_noop("Tumour ablation"), gettext_noop("Radiofrequency and microwave ablation.")),
        (gettext_noop("Chemoembolisation (TACE)"), gettext_noop("Transarterial chemoembolisation for liver cancer.")),
    ],
    "modality": [
        (gettext_noop("X-ray"), gettext_noop("Plain radiography.")),
        (gettext_noop("Ultrasound"), gettext_noop("Diagnostic and procedural ultrasound.")),
        (gettext_noop("CT"), gettext_noop("Computed tomography.")),
        (gettext_noop("MRI"), gettext_noop("Magnetic resonance imaging.")),
        (gettext_noop("Fluoroscopy"), gettext_noop("Fluoroscopy and angiography.")),
        (gettext_noop("Mammography"), gettext_noop("Breast imaging and screening.")),
    ],
    "professional": [
        (gettext_noop("Teaching"), gettext_noop("Lectures, hands-on training and curriculum work.")),
        (gettext_noop("Mentoring"), gettext_noop("Long-term mentoring of trainees and staff.")),
        (gettext_noop("Research"), gettext_noop("Study design, data analysis and publication support.")),
        (gettext_noop("Quality assurance / clinical governance"), gettext_noop("Audit, protocols, radiation safety and QA programmes.")),
        (gettext_noop("Programme development"), gettext_noop("Planning and building sustainable imaging and IR services.")),
        (gettext_noop("Equipment & PACS"), gettext_noop("Equipment commissioning, maintenance, PACS and tele-radiology set-up.")),
        (gettext_noop("Tele-radiology reporting"), gettext_noop("Remote reporting of imaging studies.")),
        (gettext_noop("Case consultation"), gettext_noop("Remote second opinions and case discussion.")),
    ],
}

LANGUAGES = [
    ("en", gettext_noop("English")),
    ("fr", gettext_noop("French")),
    ("pt", gettext_noop("Portuguese")),
    ("es", gettext_noop("Spanish")),
    ("ar", gettext_noop("Arabic")),
    ("sw", gettext_noop("Swahili")),
    ("am", gettext_noop("Amharic")),
    ("ha", gettext_noop("Hausa")),
    ("yo", gettext_noop("Yoruba")),
    ("ig", gettext_noop("Igbo")),
    ("zu", gettext_noop("Zulu")),
    ("rw", gettext_noop("Kinyarwanda")),
    ("so", gettext_noop("Somali")),
    ("hi", gettext_noop("Hindi")),
    ("bn", gettext_noop("Bengali")),
    ("ur", gettext_noop("Urdu")),
    ("ne", gettext_noop("Nepali")),
    ("zh", gettext_noop("Chinese")),
    ("vi", gettext_noop("Vietnamese")),
    ("th", gettext_noop("Thai")),
    ("km", gettext_noop("Khmer")),
    ("lo", gettext_noop("Lao")),
    ("my", gettext_noop("Burmese")),
    ("id", gettext_noop("Indonesian")),
    ("tl", gettext_noop("Tagalog")),
    ("ru", gettext_noop("Russian")),
    ("uk", gettext_noop("Ukrainian")),
    ("tr", gettext_noop("Turkish")),
    ("fa", gettext_noop("Persian")),
    ("ht", gettext_noop("Haitian Creole")),
    ("de", gettext_noop("German")),
    ("it", gettext_noop("Italian")),
    ("nl", gettext_noop("Dutch")),
    ("ja", gettext_noop("Japanese")),
    ("ko", gettext_noop("Korean")),
]


def seed(apps, schema_editor):
    Skill = apps.get_model("volunteers", "Skill")
    Language = apps.get_model("volunteers", "Language")
    for category, skills in SKILLS.items():
        for name, description in skills:
            Skill.objects.update_or_create(
                slug=slugify(name), defaults={"name": name, "category": category, "description": description}
            )
    for code, name in LANGUAGES:
        Language.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
