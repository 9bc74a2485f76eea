"""Evidence attachments: resumable uploads, sealed chunk storage and what each role sees."""
