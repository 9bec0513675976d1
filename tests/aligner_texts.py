"""A small parallel text (German, English, French) written for the alignment tests."""

DE = [
    "Der Gemeinderat hat am Dienstag den neuen Haushalt für das kommende Jahr beschlossen.",
    "Die meisten Ausgaben fließen in den Ausbau der Grundschulen und in neue Radwege.",
    "Die Bürgermeisterin sprach von einem schwierigen, aber fairen Kompromiss.",
    "Kritik kam vor allem von den Landwirten am Stadtrand.",
    "Sie befürchten, dass die geplante Umgehungsstraße ihre Felder zerschneidet.",
    "Ein Gutachten soll bis zum Frühjahr klären, ob es eine andere Trasse gibt.",
    "Im Sommer wird außerdem das alte Hallenbad saniert.",
    "Während der Bauarbeiten können die Vereine das Bad im Nachbarort nutzen.",
    "Der Eintritt für Kinder bleibt weiterhin kostenlos.",
    "Am Ende der Sitzung dankte der Rat den freiwilligen Helfern der Feuerwehr.",
    "Sie hatten im Herbst bei dem großen Hochwasser viele Keller leergepumpt.",
    "Die nächste öffentliche Sitzung findet im März statt.",
]

EN = [
    "On Tuesday the town council passed the new budget for the coming year.",
    "Most of the spending goes into expanding the primary schools and into new cycle paths.",
    "The mayor spoke of a difficult but fair compromise.",
    "Criticism came mainly from the farmers on the edge of town.",
    "They fear that the planned bypass will cut through their fields.",
    "An expert report is to establish by spring whether there is another route.",
    "In the summer the old indoor swimming pool will also be renovated.",
    "During the building work the clubs can use the pool in the neighbouring village.",
    "Admission for children remains free of charge.",
    "At the end of the meeting the council thanked the volunteer firefighters.",
    "During the big flood in the autumn they had pumped out many cellars.",
    "The next public meeting will take place in March.",
]

FR = [
    "Mardi, le conseil municipal a adopté le nouveau budget pour l'année prochaine.",
    "La plupart des dépenses iront à l'agrandissement des écoles primaires et à de nouvelles pistes cyclables.",
    "La maire a parlé d'un compromis difficile mais équitable.",
    "Les critiques sont venues surtout des agriculteurs en périphérie de la ville.",
    "Ils craignent que la route de contournement prévue ne coupe leurs champs.",
    "Une expertise doit établir d'ici le printemps s'il existe un autre tracé.",
    "En été, l'ancienne piscine couverte sera également rénovée.",
    "Pendant les travaux, les clubs pourront utiliser la piscine du village voisin.",
    "L'entrée reste gratuite pour les enfants.",
    "À la fin de la séance, le conseil a remercié les pompiers volontaires.",
    "Pendant la grande crue de l'automne, ils avaient pompé l'eau de nombreuses caves.",
    "La prochaine séance publique aura lieu en mars.",
]

UNRELATED_EN = [
    "Preheat the oven and grease a baking tin with butter.",
    "The match ended in a goalless draw after extra time.",
    "Quantum computers use qubits instead of classical bits.",
    "Our flight to Lisbon was delayed by three hours.",
    "The novel was first published in a small magazine.",
    "Please restart the router if the connection drops.",
]
