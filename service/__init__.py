"""lianfang (廉防): the stateful half — store, ingest, documents, audit, jobs, web, cli."""
