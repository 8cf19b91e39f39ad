# Texts of the tests of the mechanism itself.
test-plural = { $count } { $count ->
    [one] validation
   *[other] validations
}
test-hello = Bonjour { $name }

## The notice to a coordinator that a message will never arrive.
notice-subject = Message non remis : { $subject }
notice-subject-uncomposed = Message non remis à { $addressee }
notice-greeting = Bonjour { $name },
notice-lead = Un message de { $programme } n'a pas pu être remis et ne sera pas renvoyé.
notice-to = Destinataire : { $addressee }
notice-about = Objet : { $subject }
notice-uncomposed = (le message n'a pas pu être composé)
notice-reason = Raison donnée par le serveur : { $reason }
notice-reference = Référence : { $key }
notice-advice = Vérifiez l'adresse dans la définition de l'édition « { $edition } », et prévenez la personne par un autre moyen si le message comptait.

## The periodic digest.
digest-subject = Point { $edition } : { $late } en retard, { $awaiting } { $awaiting ->
    [one] validation
   *[other] validations
} en attente
digest-greeting = Bonjour { $name },
digest-lead = Voici le point du { $today } sur « { $edition } » ({ $programme }).
digest-late = En retard
digest-late-date = échéance le
digest-late-who = attendu de
digest-awaiting = En attente de validation
digest-awaiting-date = déposé le
digest-awaiting-who = attend
digest-soon = Échéances des 7 prochains jours
digest-soon-date = le
digest-soon-who = par
digest-nothing = Rien n'est en retard ni en attente, et aucune échéance dans les 7 prochains jours.
digest-footer = Ce point est envoyé automatiquement par Jalon ; répondre à ce message ne le modifie pas.

## The operator's email about rejected definitions (sent in both languages).
operator-subject = définitions refusées
operator-lead = Les définitions modifiées ont été refusées ; la version en service continue.
operator-trigger = Déclencheur
operator-running = En service
operator-none = aucune
