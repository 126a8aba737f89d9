import time
from fastapi.testclient import TestClient
from hub.api import create_app
from hub.application import PartnershipHub
from tests.audit import db
from tests.audit.conftest import ASK, Hub

def test_x(hub: Hub) -> None:
    hub.record_samples()
    app = PartnershipHub(env={**hub.settings.store_env, "SQLITE_LOCK_TIMEOUT": "1",
                              "POSTGRES_LOCK_TIMEOUT": "1"})
    with TestClient(create_app(hub.settings, app, hub.engine)) as api:
        with db.store_locked(hub.settings):
            for i in range(3):
                t=time.time(); r = api.post("/v1/case-views", json=ASK, headers=hub.headers("wcc-housing")); print(r.status_code, time.time()-t, r.text[:200])
            t=time.time(); r=api.get("/v1/dpo/disclosures", headers=hub.headers("dpo")); print(r.status_code, time.time()-t)
        t=time.time(); r=api.get("/v1/dpo/disclosures", headers=hub.headers("dpo")); print(r.status_code, time.time()-t)
