"""Classifier's gRPC face: classify one event."""

from __future__ import annotations

import asyncio

import grpc
from seatcopilot.contracts.classification.v1 import classification_pb2, classification_pb2_grpc
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.grpc_util import unary

from services.classifier.logic import IntentClassifier

SERVICE_NAME = classification_pb2.DESCRIPTOR.services_by_name["ClassifierService"].full_name
DEADLINE_S = 2.0


class ClassifierServicer(classification_pb2_grpc.ClassifierServiceServicer):
    def __init__(self, classifier: IntentClassifier) -> None:
        self.classifier = classifier

    @unary("classifier", DEADLINE_S)
    async def Classify(self, request: ev.CallEvent, context: grpc.aio.ServicerContext
                       ) -> classification_pb2.ClassifiedEvent:
        dialogue = self.classifier.observe(request)  # on the loop, like the Kafka adapter (the state table)
        return await asyncio.to_thread(self.classifier.classify, request, dialogue)


def register(server: grpc.aio.Server, classifier: IntentClassifier) -> None:
    classification_pb2_grpc.add_ClassifierServiceServicer_to_server(ClassifierServicer(classifier), server)
