"""The reading stage: every inbox file gated (sniffed, containers and sheets measured) before any reader, then
parsed in worker processes; the council's appraisal.xlsx read back.
"""
