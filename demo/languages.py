"""The languages demo partners write in: programmes and needs in French, Portuguese or Spanish where their
countries' partners would write so, in English elsewhere.

Fictional text, but real language: a page marks it with ``lang``, so it must be what it claims to be.
"""

from programmes.models import Programme
from volunteers.models import Profession

# The portal's languages that partners in a demo country write in; elsewhere the demo text is English.
COUNTRY_LANGUAGES: dict[str, str] = {
    "SN": "fr",
    "CM": "fr",
    "CD": "fr",
    "HT": "fr",
    "MZ": "pt",
    "AO": "pt",
    "GT": "es",
    "HN": "es",
    "BO": "es",
    "PE": "es",
}
# In a programme written in French, Portuguese or Spanish, one need in this many is written in English (by a
# visiting team, say), as happens.
ENGLISH_NEED_EVERY = 5

PROGRAMME_TITLES: dict[str, dict[str, str]] = {
    "fr": {
        Programme.Kind.TRAINING: "Formation complémentaire en radiologie interventionnelle",
        Programme.Kind.VISITING_PROFESSOR: "Échange de professeurs invités",
        Programme.Kind.CLINICAL_SUPPORT: "Appui au service d'imagerie",
        Programme.Kind.TELERADIOLOGY: "Appui à l'interprétation en téléradiologie",
        Programme.Kind.EDUCATION: "Cycle de conférences en imagerie",
        Programme.Kind.RESEARCH: "Recherche sur les résultats de l'imagerie",
        Programme.Kind.EQUIPMENT: "Mise en service d'échographes et d'appareils de radioscopie",
    },
    "es": {
        Programme.Kind.TRAINING: "Formación de posgrado en radiología intervencionista",
        Programme.Kind.VISITING_PROFESSOR: "Intercambio de profesores visitantes",
        Programme.Kind.CLINICAL_SUPPORT: "Apoyo al servicio de imagenología",
        Programme.Kind.TELERADIOLOGY: "Apoyo a la elaboración de informes por telerradiología",
        Programme.Kind.EDUCATION: "Ciclo de conferencias de imagenología",
        Programme.Kind.RESEARCH: "Investigación de resultados en imagenología",
        Programme.Kind.EQUIPMENT: "Puesta en marcha de equipos de ecografía y fluoroscopia",
    },
    "pt": {
        Programme.Kind.TRAINING: "Formação pós-graduada em radiologia de intervenção",
        Programme.Kind.VISITING_PROFESSOR: "Intercâmbio de professores visitantes",
        Programme.Kind.CLINICAL_SUPPORT: "Apoio ao serviço de imagiologia",
        Programme.Kind.TELERADIOLOGY: "Apoio ao relato de exames por telerradiologia",
        Programme.Kind.EDUCATION: "Ciclo de conferências de imagiologia",
        Programme.Kind.RESEARCH: "Investigação de resultados em imagiologia",
        Programme.Kind.EQUIPMENT: "Instalação de ecógrafos e equipamentos de fluoroscopia",
    },
}
PROGRAMME_SUMMARIES = {
    "fr": "Programme fictif de démonstration : {title} ({places}).",
    "es": "Programa ficticio de demostración: {title} ({places}).",
    "pt": "Programa fictício de demonstração: {title} ({places}).",
}
PROGRAMME_DESCRIPTIONS = {
    "fr": "Créé par la commande load_demo pour les démonstrations\u00a0; ce n'est pas un programme réel.",
    "es": "Creado por el comando load_demo para demostraciones; no es un programa real.",
    "pt": "Criado pelo comando load_demo para demonstrações; não é um programa real.",
}

# For each profession, a need on site and a remote one.
NEED_TITLES: dict[str, dict[str, tuple[str, str]]] = {
    "fr": {
        Profession.IR_PHYSICIAN: (
            "Enseigner l'embolisation aux médecins en formation",
            "Donner des cours en ligne de radiologie interventionnelle",
        ),
        Profession.RADIOLOGIST: (
            "Enseigner l'échographie aux internes de radiologie",
            "Interpréter à distance des examens de scanner et d'IRM",
        ),
        Profession.RADIOGRAPHER: (
            "Former les manipulateurs en électroradiologie médicale aux protocoles de scanner",
            "Revoir à distance les protocoles de scanner",
        ),
        Profession.SONOGRAPHER: ("Enseigner l'échographie obstétricale", "Donner des cours d'échographie en ligne"),
        Profession.IR_NURSE: (
            "Former les infirmiers aux soins péri-interventionnels",
            "Aider à distance à rédiger des protocoles de soins infirmiers en radiologie interventionnelle",
        ),
        Profession.PHYSICIST: (
            "Mettre en service un appareil de radioscopie",
            "Conseiller à distance en radioprotection",
        ),
        Profession.IMAGING_IT: (
            "Installer un PACS et une liaison de téléradiologie",
            "Assurer à distance le support du PACS",
        ),
        Profession.TRAINEE: (
            "Stage d'échange en radiologie interventionnelle",
            "Participer à une collaboration de recherche en ligne",
        ),
        Profession.STUDENT: (
            "Stage d'étudiant en médecine en radiologie interventionnelle",
            "Contribuer à distance à un audit d'imagerie",
        ),
    },
    "es": {
        Profession.IR_PHYSICIAN: (
            "Enseñar embolización a profesionales en formación",
            "Dictar clases en línea de radiología intervencionista",
        ),
        Profession.RADIOLOGIST: (
            "Enseñar ecografía a residentes de radiología",
            "Informar a distancia estudios de TC y RM",
        ),
        Profession.RADIOGRAPHER: (
            "Capacitar a técnicos en radiología en protocolos de TC",
            "Revisar a distancia protocolos de TC",
        ),
        Profession.SONOGRAPHER: ("Enseñar ecografía obstétrica", "Dictar clases de ecografía en línea"),
        Profession.IR_NURSE: (
            "Capacitar al personal de enfermería en cuidados periprocedimiento",
            "Ayudar a distancia a redactar protocolos de enfermería en radiología intervencionista",
        ),
        Profession.PHYSICIST: (
            "Poner en marcha un equipo de fluoroscopia",
            "Asesorar a distancia en protección radiológica",
        ),
        Profession.IMAGING_IT: ("Instalar un PACS y un enlace de telerradiología", "Dar soporte a distancia al PACS"),
        Profession.TRAINEE: (
            "Rotación de intercambio en radiología intervencionista",
            "Participar en una colaboración de investigación en línea",
        ),
        Profession.STUDENT: (
            "Rotación de estudiantes de medicina en radiología intervencionista",
            "Colaborar a distancia en una auditoría de imagenología",
        ),
    },
    "pt": {
        Profession.IR_PHYSICIAN: (
            "Ensinar embolização a médicos em formação",
            "Dar aulas online de radiologia de intervenção",
        ),
        Profession.RADIOLOGIST: (
            "Ensinar ecografia a internos de radiologia",
            "Relatar à distância exames de TC e RM",
        ),
        Profession.RADIOGRAPHER: (
            "Formar técnicos de radiologia em protocolos de TC",
            "Rever à distância protocolos de TC",
        ),
        Profession.SONOGRAPHER: ("Ensinar ecografia obstétrica", "Dar aulas de ecografia online"),
        Profession.IR_NURSE: (
            "Formar enfermeiros em cuidados peri-procedimento",
            "Ajudar à distância a redigir protocolos de enfermagem de radiologia de intervenção",
        ),
        Profession.PHYSICIST: (
            "Pôr em funcionamento um equipamento de fluoroscopia",
            "Aconselhar à distância em proteção radiológica",
        ),
        Profession.IMAGING_IT: ("Instalar um PACS e uma ligação de telerradiologia", "Dar apoio à distância ao PACS"),
        Profession.TRAINEE: (
            "Estágio de intercâmbio em radiologia de intervenção",
            "Participar numa colaboração de investigação online",
        ),
        Profession.STUDENT: (
            "Estágio de estudantes de medicina em radiologia de intervenção",
            "Colaborar à distância numa auditoria de imagiologia",
        ),
    },
}
NEED_DESCRIPTIONS = {
    "fr": (
        "{title}. Besoin fictif du programme de démonstration «\u00a0{programme}\u00a0», créé pour les démonstrations."
    ),
    "es": "{title}. Necesidad ficticia del programa de demostración “{programme}”, creada para demostraciones.",
    "pt": "{title}. Necessidade fictícia do programa de demonstração “{programme}”, criada para demonstrações.",
}


def programme_language(country_codes) -> str:
    """The language a demo programme with sites in these countries (its main site's first) is written in: that
    of its first site whose partners write in French, Portuguese or Spanish, else English."""
    for code in country_codes:
        if code in COUNTRY_LANGUAGES:
            return COUNTRY_LANGUAGES[code]
    return "en"
