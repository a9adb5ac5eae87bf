"""Printed documents and files of a ticket: the work liaison form (工作联系单), paid special
services (特约服务: quote, payment, receipt), attachments, and what outsiders may see of a
complainant (dispute notices, the contractor's copy).

Writes here follow tickets.services: lock the ticket scoped to what the actor may see
(404), check the state (409), the policy (403), then the rules (400/422), save, and write
a timeline event. The PDFs are drawn with reportlab's built-in CID font (no font file).
"""
