"""The curated directory of real organisations, programmes and sites, as plain data.

Loaded by ``python manage.py load_directory``. Everything here is drawn from the public texts in
``/work/shared/seeds/`` (CAIR's global outreach page, IR Juniors' global IR page, SIR's list of IR
organisations worldwide, the IAEA–RSNA press release). Websites are given only where the official
address is certain; e-mail addresses are never guessed.

Organisations are matched by ``slug`` (``slugify(name)`` unless given). ``kind`` values are
``Organisation.Kind`` values; countries are ISO 3166-1 alpha-2 codes. Regional societies have no
headquarters country unless its seat is certain, and name their member regions in the description.
"""

from django.utils.text import slugify


def _society(name, acronym, country, description, **extra):
    """A national society: it works in the country it is based in."""
    return {
        "name": name,
        "acronym": acronym,
        "kind": "society",
        "headquarters_country": country,
        "countries": [country],
        "description": description,
        **extra,
    }


ORGANISATIONS: list[dict] = [
    # --- Organisations that place volunteers (CAIR and IR Juniors global outreach pages) ---
    {
        "name": "RAD-AID International",
        "acronym": "RAD-AID",
        "kind": "ngo",
        "headquarters_country": "US",
        "countries": [],
        "website": "https://www.rad-aid.org",
        "twitter": "RADAIDIntl",
        "description": (
            "Non-profit organisation that began in 2008 through Johns Hopkins to bring radiology to underserved "
            "and low-resource areas by delivering education, infrastructure, equipment and support. It runs "
            "programmes in over 30 low- and middle-income countries with about 10,000 volunteers — radiologists, "
            "technologists and nurses — including interventional radiology projects with US interventional "
            "radiologists and a radiology pathway for medical students."
        ),
    },
    {
        "name": "Road2IR",
        "acronym": "Road2IR",
        "kind": "network",
        "headquarters_country": "",
        "countries": ["TZ"],
        "twitter": "Road2IR",
        "instagram": "Road2IR",
        "facebook": "Road to IR",
        "description": (
            "Formerly the Tanzania Interventional Radiology Initiative: a consortium of individuals and "
            "organisations bringing interventional radiology training to East Africa. It began as a training "
            "partnership between Yale University, Emory University and the Muhimbili University of Health and "
            "Allied Sciences and now includes faculty and staff from around the world. Volunteers — IR "
            "physicians, nurses, technologists and trainees — teach on site in Dar es Salaam and remotely through "
            "case consultations, lectures, journal clubs and research projects."
        ),
    },
    {
        "name": "Yale University",
        "kind": "academic",
        "headquarters_country": "US",
        "countries": ["US"],
        "website": "https://www.yale.edu",
        "description": "Founding academic partner of Road2IR, the Tanzania Interventional Radiology Initiative.",
    },
    {
        "name": "Emory University",
        "kind": "academic",
        "headquarters_country": "US",
        "countries": ["US"],
        "website": "https://www.emory.edu",
        "description": "Founding academic partner of Road2IR, the Tanzania Interventional Radiology Initiative.",
    },
    {
        "name": "Muhimbili University of Health and Allied Sciences",
        "acronym": "MUHAS",
        "kind": "academic",
        "headquarters_country": "TZ",
        "countries": ["TZ"],
        "description": (
            "Tanzanian health sciences university in Dar es Salaam and founding partner of Road2IR, which trains "
            "Tanzania's first interventional radiology fellows."
        ),
    },
    {
        "name": "Society of Interventional Radiology",
        "acronym": "SIR",
        "kind": "society",
        "headquarters_country": "US",
        "countries": ["US"],
        "website": "https://www.sirweb.org",
        "twitter": "SIRSpecialists",
        "instagram": "sirspecialists",
        "facebook": "Society of Interventional Radiology",
        "description": (
            "US society whose mission is to improve lives through image-guided therapy. It builds a global network "
            "of IR organisations, runs the International Visiting Professor Program, and its RFS International "
            "Outreach Committee helps US trainees find international service work, connects them with trainees in "
            "other societies and supports international medical graduates seeking IR training in the US."
        ),
    },
    {
        "name": "IR Juniors",
        "kind": "network",
        "headquarters_country": "GB",
        "countries": ["GB"],
        "description": (
            "UK network of medical students and junior doctors interested in interventional radiology. Its global "
            "IR section works with national and international collaborators to improve access to IR and IR "
            "education worldwide, and encourages medical students to take electives abroad."
        ),
    },
    {
        "name": "Radiological Society of North America",
        "acronym": "RSNA",
        "kind": "society",
        "headquarters_country": "US",
        "countries": ["US"],
        "website": "https://www.rsna.org",
        "description": (
            "Radiology society supporting patient care through education, research and technological innovation; "
            "its members span all radiology subspecialties and over 150 countries. In 2024 it signed a strategic "
            "partnership with the IAEA to build radiology capacity in low- and middle-income countries."
        ),
    },
    {
        "name": "International Atomic Energy Agency",
        "acronym": "IAEA",
        "kind": "intergovernmental",
        "headquarters_country": "AT",
        "countries": [],
        "website": "https://www.iaea.org",
        "description": (
            "Intergovernmental agency that promotes equitable access to high-quality radiology services in low- "
            "and middle-income countries, notably through its Rays of Hope initiative for cancer care. In 2024 it "
            "signed a strategic partnership with RSNA to build professional capacity in radiology."
        ),
    },
    # --- Interventional radiology societies worldwide (SIR's list) ---
    {
        "name": "Asia Pacific Society of Cardiovascular and Interventional Radiology",
        "acronym": "APSCVIR",
        "kind": "society",
        "headquarters_country": "",
        "countries": [],
        "description": "Regional society for cardiovascular and interventional radiology in the Asia-Pacific region.",
    },
    _society(
        "Austrian Society of Interventional Radiology",
        "ASIR",
        "AT",
        "Austria's national society for interventional radiology.",
    ),
    _society(
        "Brazilian Society of Interventional Radiology and Endovascular Surgery",
        "SoBRICE",
        "BR",
        "Brazil's society for interventional radiology and endovascular surgery (Sociedade Brasileira de "
        "Radiologia Intervencionista e Cirurgia Endovascular).",
    ),
    _society(
        "British Society of Interventional Radiology",
        "BSIR",
        "GB",
        "The United Kingdom's national society for interventional radiology.",
    ),
    _society(
        "Bulgarian Society of Interventional Radiology",
        "",
        "BG",
        "Bulgaria's national society for interventional radiology.",
    ),
    _society(
        "Canadian Association for Interventional Radiology",
        "CAIR",
        "CA",
        "Canada's national society for interventional radiology (Association canadienne pour la radiologie "
        "d'intervention). Its global outreach page encourages Canadian radiologists to volunteer in person or at a "
        "distance, through teaching, mentoring, programme development and research.",
    ),
    {
        "name": "Cardiovascular and Interventional Radiological Society of Europe",
        "acronym": "CIRSE",
        "kind": "society",
        "headquarters_country": "AT",
        "countries": [],
        "website": "https://www.cirse.org",
        "description": (
            "European society for cardiovascular and interventional radiology, based in Vienna, with members "
            "across Europe and beyond."
        ),
    },
    _society(
        "Cardiovascular and Interventional Radiology Section of the Singapore Radiological Society",
        "CVIR Section of SRS",
        "SG",
        "Singapore's interventional radiology section, within the Singapore Radiological Society.",
    ),
    _society(
        "Cardiovascular and Interventional Radiology Society of Hungary",
        "MACIRT",
        "HU",
        "Hungarian society for cardiovascular and interventional radiology.",
    ),
    _society(
        "Chinese Society of Interventional Radiology",
        "CVIR",
        "CN",
        "China's national society for interventional radiology.",
    ),
    _society(
        "Colegio Argentino de Radiología Vascular e Intervencionista",
        "CARVI",
        "AR",
        "Argentine college of vascular and interventional radiology.",
    ),
    _society(
        "Croatian Society of Interventional Radiology",
        "CSR",
        "HR",
        "Croatia's national society for interventional radiology.",
    ),
    _society(
        "Czech Society of Interventional Radiology",
        "CSIR",
        "CZ",
        "The Czech Republic's national society for interventional radiology.",
    ),
    _society(
        "Danish Society of Interventional Radiology",
        "DFIR",
        "DK",
        "Denmark's national society for interventional radiology.",
    ),
    _society(
        "Dutch Society of Interventional Radiology",
        "NGIR",
        "NL",
        "The Netherlands' national society for interventional radiology.",
    ),
    _society(
        "Egyptian Society of Interventional Radiology",
        "ESIR",
        "EG",
        "Egypt's national society for interventional radiology.",
    ),
    {
        "name": "European Society of Radiology",
        "acronym": "ESR",
        "kind": "society",
        "headquarters_country": "AT",
        "countries": [],
        "description": (
            "European radiology society, based in Vienna, that organises the European Congress of Radiology (ECR); "
            "members across Europe and beyond."
        ),
    },
    _society(
        "Federación Argentina de Asociaciones de Radiología",
        "FAARDIT",
        "AR",
        "Argentine federation of radiology associations.",
    ),
    _society(
        "Finnish Society of Interventional Radiology",
        "FSIR",
        "FI",
        "Finland's national society for interventional radiology.",
    ),
    _society(
        "Georgian Association of Cardiovascular and Interventional Radiology",
        "GACIR",
        "GE",
        "Georgia's national association for cardiovascular and interventional radiology.",
    ),
    _society(
        "German Society of Interventional Radiology and Minimally Invasive Therapy",
        "DeGIR",
        "DE",
        "Germany's national society for interventional radiology and minimally invasive therapy.",
    ),
    _society(
        "Ghana Society of Interventional Radiology",
        "",
        "GH",
        "Ghana's national society for interventional radiology.",
    ),
    _society(
        "Hellenic Society of Interventional Radiology, Vascular Radiology and Neuroradiology",
        "GSIR",
        "GR",
        "Greece's national society for interventional radiology, vascular radiology and neuroradiology.",
    ),
    _society(
        "Hong Kong Society of Interventional Radiology",
        "HKSIR",
        "HK",
        "Hong Kong's society for interventional radiology.",
    ),
    _society(
        "Hungarian Society of Cardiovascular and Interventional Radiology",
        "HSIR",
        "HU",
        "Hungarian society for cardiovascular and interventional radiology.",
    ),
    {
        "name": "Iberoamerican Society of Interventional Radiology",
        "acronym": "SIDI",
        "kind": "society",
        "headquarters_country": "",
        "countries": [],
        "description": (
            "Sociedad Iberoamericana de Intervencionismo: interventional radiology society for Ibero-America — "
            "Latin America, Spain and Portugal."
        ),
    },
    _society(
        "Indian Society of Vascular and Interventional Radiology",
        "ISVIR",
        "IN",
        "India's national society for vascular and interventional radiology.",
    ),
    _society(
        "Interventional Radiology Section of the Polish Medical Society of Radiology",
        "PLTR",
        "PL",
        "Poland's interventional radiology section, within the Polish Medical Society of Radiology.",
    ),
    {
        "name": "Interventional Radiology Society of Australasia",
        "acronym": "IRSA",
        "kind": "society",
        "headquarters_country": "",
        "countries": ["AU", "NZ"],
        "description": "Interventional radiology society for Australasia: Australia and New Zealand.",
    },
    _society(
        "Irish Society of Interventional Radiology",
        "ISIR",
        "IE",
        "Ireland's national society for interventional radiology.",
    ),
    _society(
        "Israeli Society of Interventional Radiology",
        "ILSIR",
        "IL",
        "Israel's national society for interventional radiology.",
    ),
    _society(
        "Japanese Society of Interventional Radiology",
        "JSIR",
        "JP",
        "Japan's national society for interventional radiology.",
    ),
    _society(
        "Korean Society of Interventional Radiology",
        "KSIR",
        "KR",
        "South Korea's national society for interventional radiology.",
    ),
    _society(
        "Mongolian Society of Interventional Radiology",
        "",
        "MN",
        "Mongolia's national society for interventional radiology.",
    ),
    {
        "name": "Pan Arab Interventional Radiology Society",
        "acronym": "PAIRS",
        "kind": "society",
        "headquarters_country": "",
        "countries": [],
        "description": "Interventional radiology society for the Arab world, in the Middle East and North Africa.",
    },
    _society(
        "Philippine Society of Vascular and Interventional Radiology",
        "",
        "PH",
        "The Philippines' national society for vascular and interventional radiology.",
    ),
    _society(
        "Portuguese Section of Interventional Radiology",
        "NURIP",
        "PT",
        "Portugal's interventional radiology section, within the Portuguese Society of Radiology and Nuclear "
        "Medicine (SPRMN).",
    ),
    _society(
        "Radiology Society of France",
        "SFR",
        "FR",
        "France's national radiology society (Société française de radiologie).",
    ),
    _society(
        "Section of Cardiovascular and Interventional Radiology of the Royal Belgian Radiological Society",
        "RBRS",
        "BE",
        "Belgium's cardiovascular and interventional radiology section, within the Royal Belgian Radiological Society.",
    ),
    _society(
        "Saudi Interventional Radiology Society",
        "SIRS",
        "SA",
        "Saudi Arabia's national society for interventional radiology.",
    ),
    _society(
        "Seldinger Society of Vascular and Interventional Radiology",
        "SSVIR",
        "SE",
        "Sweden's national society for vascular and interventional radiology.",
    ),
    _society(
        "Sezione di Studio della SIRM di Radiologia Vascolare ed Interventistica",
        "SIRM",
        "IT",
        "Vascular and interventional radiology study section of the Italian Society of Medical and "
        "Interventional Radiology (SIRM).",
    ),
    _society(
        "Sociedad Argentina de Radiología",
        "SAR",
        "AR",
        "Argentina's national radiology society.",
    ),
    {
        "name": "Society for Medical Innovation and Technology",
        "acronym": "SMIT",
        "kind": "society",
        "headquarters_country": "",
        "countries": [],
        "description": "International society for medical innovation and technology, listed by SIR among IR "
        "organisations worldwide.",
    },
    _society(
        "Society of Interventional Onco-Radiology",
        "RSIOR",
        "RU",
        "Russian society for interventional oncoradiology.",
    ),
    _society(
        "Spanish Society of Vascular and Interventional Radiology",
        "SERVEI",
        "ES",
        "Spain's national society for vascular and interventional radiology (Sociedad Española de Radiología "
        "Vascular e Intervencionista).",
    ),
    _society(
        "Swiss Society of Cardiovascular and Interventional Radiology",
        "SSCVIR",
        "CH",
        "Switzerland's national society for cardiovascular and interventional radiology (Société suisse de "
        "radiologie cardiovasculaire et interventionnelle).",
    ),
    _society(
        "Turkish Society of Interventional Radiology",
        "TGRD",
        "TR",
        "Turkey's national society for interventional radiology.",
    ),
    _society(
        "Taiwanese Radiological Society",
        "",
        "TW",
        "Taiwan's national radiology society.",
    ),
    _society(
        "Thai Society of Vascular and Interventional Radiology",
        "TSVIR",
        "TH",
        "Thailand's national society for vascular and interventional radiology.",
    ),
    _society(
        "Working Group of Cardiovascular and Interventional Radiology of the Slovak Radiological Society",
        "PSKVIR",
        "SK",
        "Slovakia's cardiovascular and interventional radiology working group, within the Slovak Radiological Society.",
    ),
]

for _organisation in ORGANISATIONS:
    _organisation.setdefault("slug", slugify(_organisation["name"]))

# Symmetrical partnerships, by slug.
PARTNERSHIPS: list[tuple[str, str]] = [
    ("road2ir", "yale-university"),
    ("road2ir", "emory-university"),
    ("road2ir", "muhimbili-university-of-health-and-allied-sciences"),
    ("international-atomic-energy-agency", "radiological-society-of-north-america"),
]

# Sites are matched by (name, city, country); "organisation" is the slug of the organisation that keeps them up to
# date.
SITES: list[dict] = [
    {
        "name": "Muhimbili National Hospital",
        "city": "Dar es Salaam",
        "country": "TZ",
        "organisation": "road2ir",
        "description": "National hospital in Dar es Salaam where Road2IR trains Tanzania's interventional "
        "radiology fellows.",
    },
]

# Programmes are matched by slug. "status" applies only when a programme is first created.
PROGRAMMES: list[dict] = [
    {
        "slug": "tanzania-ir-training-programme",
        "title": "Tanzania IR training programme",
        "kind": "training",
        "lead": "road2ir",
        "partners": [
            "yale-university",
            "emory-university",
            "muhimbili-university-of-health-and-allied-sciences",
        ],
        "countries": ["TZ"],
        "sites": [("Muhimbili National Hospital", "Dar es Salaam", "TZ")],
        "status": "published",
        "summary": "Training Tanzania's first interventional radiology fellows, taught by visiting international "
        "IR staff.",
        "description": (
            "Road2IR's training programme in Dar es Salaam, born from Tanzania's urgent need for minimally "
            "invasive, image-guided procedures. Tanzania's first cohort of IR fellows was trained by visiting "
            "international IR staff. Teams of IR physicians, nurses and technologists work and teach on site, "
            "for example for two weeks, alongside the local IR fellows, residents, nurses and technologists; a "
            "distance-learning programme lets volunteers give case consultations, lectures and journal clubs and "
            "join research projects remotely."
        ),
    },
    {
        "slug": "international-visiting-professor-program",
        "title": "International Visiting Professor Program",
        "kind": "visiting_professor",
        "lead": "society-of-interventional-radiology",
        "partners": [],
        "countries": [],
        "sites": [],
        "status": "published",
        "summary": "Supports IR educators to make teaching visits to developing countries and lower-middle-income "
        "regions.",
        "description": (
            "SIR's programme supports interventional radiology educators to travel and take part in educational "
            "visits to developing countries or lower-middle-income regions, to engage, teach, interact with and "
            "learn from interventional radiologists outside the United States. Volunteers can serve as a visiting "
            "professor, or as a host society or host hospital."
        ),
    },
    {
        "slug": "rays-of-hope",
        "title": "Rays of Hope",
        "kind": "training",
        "lead": "international-atomic-energy-agency",
        "partners": [],
        "countries": [],
        "sites": [],
        "status": "published",
        "summary": "IAEA initiative promoting equitable access to high-quality radiology services in low- and "
        "middle-income countries.",
        "description": (
            "The IAEA's Rays of Hope initiative promotes equitable access to high-quality radiology services in "
            "low- and middle-income countries, with a focus on cancer care, where imaging guides diagnosis, "
            "staging, treatment planning and assessment of response. The IAEA's 2024 partnership with RSNA builds "
            "on this work to strengthen professional capacity in radiology."
        ),
    },
]
