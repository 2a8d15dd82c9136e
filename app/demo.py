"""The demo: the organisation (`demo_organization`), then its accountability records and its
assessment, each building on the organisation's loader."""

from __future__ import annotations

from app.demo_accountability import AccountabilityDemo
from app.demo_assessment import DemoAssessment
from app.demo_organization import DemoLoader, DemoReport
from domain.application import DengtaApplication


def load_demo(app: DengtaApplication) -> DemoReport:
    loader = DemoLoader(app)
    loader.load()
    AccountabilityDemo(loader).load()
    DemoAssessment(loader, loader.specific_goals()).load()
    return loader.report
