"""`seatcopilot kg`: load the knowledge graph into Neo4j, see what it holds, ask it a question."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from seatcopilot import codec
from seatcopilot.calls import call_ref

if TYPE_CHECKING:
    from services.retrieval.config import RetrievalConfig

STATUS = """
MATCH (n) WHERE n:Item OR n:Product OR n:Rule OR n:CreditBand
WITH CASE WHEN n:Item THEN 'items' WHEN n:Product THEN 'products' WHEN n:Rule THEN 'rules' ELSE 'credit_bands' END
     AS kind, count(*) AS n
RETURN kind, n ORDER BY kind
"""
KB_VERSION = "OPTIONAL MATCH (k:KnowledgeBase) RETURN k.version AS version"
VECTOR_INDEX_STATE = "SHOW VECTOR INDEXES YIELD name, state RETURN name, state"


def _config() -> RetrievalConfig:
    # Imported late: the CLI starts fast for its other commands.
    from seatcopilot.config import load

    from services.retrieval.config import RetrievalConfig

    return load(RetrievalConfig)


def _unreachable(uri: str, error: Exception) -> int:
    print(f"Neo4j at {uri} is not reachable: {type(error).__name__}: {error}", file=sys.stderr)
    return 1


def load_command(args: argparse.Namespace) -> int:
    from neo4j.exceptions import AuthError, ServiceUnavailable
    from seatcopilot.encoder import shared_encoder

    from services.retrieval.knowledge import KnowledgeError, load_knowledge_base
    from services.retrieval.loader import load_into_neo4j

    config = _config()
    path = Path(args.kb) if args.kb else config.kb_path
    try:
        kb = load_knowledge_base(path)
        report = load_into_neo4j(config.neo4j_uri, config.neo4j_user, config.neo4j_password, kb, shared_encoder)
    except KnowledgeError as error:
        print(f"knowledge base rejected: {error}", file=sys.stderr)
        return 2
    except (ServiceUnavailable, AuthError) as error:
        return _unreachable(config.neo4j_uri, error)
    print(f"knowledge graph {kb.version}: {report.created_or_updated} facts written, {report.unchanged} unchanged, "
          f"{report.removed} removed")
    if report.changed_ids and args.verbose:
        print("written: " + ", ".join(report.changed_ids))
    return 0


def status_command(args: argparse.Namespace) -> int:
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError, ServiceUnavailable

    config = _config()
    try:
        with GraphDatabase.driver(config.neo4j_uri, auth=(config.neo4j_user, config.neo4j_password)) as driver:
            counts, _, _ = driver.execute_query(STATUS)
            version, _, _ = driver.execute_query(KB_VERSION)
            indexes, _, _ = driver.execute_query(VECTOR_INDEX_STATE)
    except (ServiceUnavailable, AuthError) as error:
        return _unreachable(config.neo4j_uri, error)
    print(f"knowledge base version: {version[0]['version'] or 'not loaded'}")
    for row in counts:
        print(f"{row['kind']}: {row['n']}")
    for row in indexes:
        print(f"vector index {row['name']}: {row['state']}")
    return 0


async def _ask(args: argparse.Namespace) -> dict:
    from seatcopilot.contracts.classification.v1 import classification_pb2 as cl
    from seatcopilot.contracts.events.v1 import call_event_pb2 as ev

    from services.retrieval import main as retrieval_main

    config = _config()
    if args.store:
        from dataclasses import replace

        config = replace(config, store=args.store)
    retriever = retrieval_main.build(config)
    event = codec.from_dict({"call_id": "kg-query", "seq": 1, "scenario": args.scenario, "type": "UTTERANCE",
                             "speaker": "CUSTOMER", "text": args.text, "is_final": True}, ev.CallEvent)
    classified = cl.ClassifiedEvent(call=call_ref(event), event=event,
                                    classification=cl.Classification(intent=args.intent, stage=args.stage))
    try:
        await retriever.warm_up()
        grounded = await retriever.retrieve(classified)
    finally:
        await retriever.store.close()
    data = codec.to_dict(grounded)
    data.pop("classified", None)
    return data


def query_command(args: argparse.Namespace) -> int:
    print(json.dumps(asyncio.run(_ask(args)), indent=2))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    kg = commands.add_parser("kg", help="knowledge graph").add_subparsers(dest="kg_command", required=True)
    load = kg.add_parser("load", help="load the knowledge base into Neo4j (idempotent: unchanged facts are kept)")
    load.add_argument("--kb", help="knowledge base YAML (default: KNOWLEDGE_BASE or the bundled one)")
    load.add_argument("--verbose", action="store_true", help="list the facts written")
    load.set_defaults(func=load_command)
    kg.add_parser("status", help="what the graph in Neo4j holds").set_defaults(func=status_command)
    query = kg.add_parser("query", help="retrieve for one customer utterance and print the grounded result")
    query.add_argument("text")
    query.add_argument("--scenario", default="SALES", choices=("SALES", "SERVICE", "COLLECTIONS"))
    query.add_argument("--intent", default="unknown")
    query.add_argument("--stage", default="discovery")
    query.add_argument("--store", choices=("neo4j", "embedded"), help="default: RETRIEVAL_STORE")
    query.set_defaults(func=query_command)
