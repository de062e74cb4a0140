"""The email channel: inbound by SMTP (embedded) or SES receiving (AWS), replies by SMTP or SES."""
