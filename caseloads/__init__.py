"""Caseloads of ambulant language supporters.

Schools file support requests; the regional coordinator allocates them (one at a time, ranked with reasons,
or the whole open queue at once through ``matching.engine.assign``); supporters work their cases and log
visits. Where to look: ``models`` (data and invariants), ``services`` (the verbs), ``reach`` (who sees what),
``workload`` (hours: committed vs worked), ``allocation`` (cost function, slot model, proposal),
``dashboards`` and ``report`` (the pages' figures), ``retention`` (anonymising closed cases).
"""
