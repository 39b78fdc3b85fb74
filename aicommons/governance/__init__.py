"""AI governance: the project register, the impact assessment and their obligations."""
