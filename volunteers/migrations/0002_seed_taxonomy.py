"""Seed the curated skills taxonomy and the list of languages."""

from django.db import migrations
from django.utils.text import slugify

SKILLS = {
    "procedure": [
        ("Embolisation", "Transcatheter embolisation for bleeding, tumours and vascular malformations."),
        ("Post-partum haemorrhage embolisation", "Uterine artery embolisation for post-partum haemorrhage."),
        ("Image-guided drainage", "Percutaneous drainage of abscesses and infected collections."),
        ("Image-guided biopsy", "Ultrasound- or CT-guided biopsy."),
        ("Vascular access", "Central lines, PICCs, ports and dialysis access."),
        ("Biliary intervention", "Percutaneous transhepatic cholangiography, drainage and stenting."),
        ("Nephrostomy", "Percutaneous nephrostomy and ureteric stenting."),
        ("Angioplasty and stenting", "Peripheral arterial and venous angioplasty and stenting."),
        ("Tumour ablation", "Radiofrequency and microwave ablation."),
        ("Chemoembolisation (TACE)", "Transarterial chemoembolisation for liver cancer."),
    ],
    "modality": [
        ("X-ray", "Plain radiography."),
        ("Ultrasound", "Diagnostic and procedural ultrasound."),
        ("CT", "Computed tomography."),
        ("MRI", "Magnetic resonance imaging."),
        ("Fluoroscopy", "Fluoroscopy and angiography."),
        ("Mammography", "Breast imaging and screening."),
    ],
    "professional": [
        ("Teaching", "Lectures, hands-on training and curriculum work."),
        ("Mentoring", "Long-term mentoring of trainees and staff."),
        ("Research", "Study design, data analysis and publication support."),
        ("Quality assurance / clinical governance", "Audit, protocols, radiation safety and QA programmes."),
        ("Programme development", "Planning and building sustainable imaging and IR services."),
        ("Equipment & PACS", "Equipment commissioning, maintenance, PACS and tele-radiology set-up."),
        ("Tele-radiology reporting", "Remote reporting of imaging studies."),
        ("Case consultation", "Remote second opinions and case discussion."),
    ],
}

LANGUAGES = [
    ("en", "English"),
    ("fr", "French"),
    ("pt", "Portuguese"),
    ("es", "Spanish"),
    ("ar", "Arabic"),
    ("sw", "Swahili"),
    ("am", "Amharic"),
    ("ha", "Hausa"),
    ("yo", "Yoruba"),
    ("ig", "Igbo"),
    ("zu", "Zulu"),
    ("rw", "Kinyarwanda"),
    ("so", "Somali"),
    ("hi", "Hindi"),
    ("bn", "Bengali"),
    ("ur", "Urdu"),
    ("ne", "Nepali"),
    ("zh", "Chinese"),
    ("vi", "Vietnamese"),
    ("th", "Thai"),
    ("km", "Khmer"),
    ("lo", "Lao"),
    ("my", "Burmese"),
    ("id", "Indonesian"),
    ("tl", "Tagalog"),
    ("ru", "Russian"),
    ("uk", "Ukrainian"),
    ("tr", "Turkish"),
    ("fa", "Persian"),
    ("ht", "Haitian Creole"),
    ("de", "German"),
    ("it", "Italian"),
    ("nl", "Dutch"),
    ("ja", "Japanese"),
    ("ko", "Korean"),
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
