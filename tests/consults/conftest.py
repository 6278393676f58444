"""The cast of every consult test: a host site, a partner clinician of it and a volunteer radiologist who
reports remotely."""

import pytest

from .factories import clinician_of, host_site, remote_radiologist


@pytest.fixture
def site():
    return host_site()


@pytest.fixture
def clinician(site):
    return clinician_of(site)


@pytest.fixture
def radiologist():
    return remote_radiologist()
