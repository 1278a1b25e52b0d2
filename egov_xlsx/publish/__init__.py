"""The publishing stage: every output written (workbooks, Word documents, the announcement, results.json, the
feedback copies, the council's appraisal workbook), staged through egov_xlsx.atomic.
"""
