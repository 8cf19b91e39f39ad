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
digest-workspace = Tableau de bord : { $url }
digest-footer = Ce point est envoyé automatiquement par Jalon ; répondre à ce message ne le modifie pas.

## The operator's email about rejected definitions (sent in both languages).
operator-subject = définitions refusées
operator-lead = Les définitions modifiées ont été refusées ; la version en service continue.
operator-trigger = Déclencheur
operator-running = En service
operator-none = aucune

## The notice to the coordination that late messages are held.
held-subject = { $count ->
    [one] Un message retenu
   *[other] {$count} messages retenus
} : { $edition }
held-lead = { $count ->
    [one] Un message de l’édition « { $edition } » est retenu : il n’est pas envoyé.
   *[other] { $count } messages de l’édition « { $edition } » sont retenus : ils ne sont pas envoyés.
}
held-why = { $count ->
    [one] Sa date était déjà passée quand la définition qui le prévoit a été enregistrée (une date mal saisie, une édition ajoutée en retard) : il partirait en retard, sans que personne l’ait vu.
   *[other] Leur date était déjà passée quand la définition qui les prévoit a été enregistrée (une date mal saisie, une édition ajoutée en retard) : ils partiraient en retard, sans que personne les ait vus.
}
held-item = { $date } : { $kind }, { $about }, à { $to }
held-more = … et { $count } de plus.
held-release = Si ces messages doivent partir, demandez à l’exploitant de les libérer (jalon release { $edition }) ; sinon, de les abandonner (jalon release { $edition } --drop). Corrigez d’abord la définition si une date est fausse.

## What a message is, in a list.
kind-stage_opened = ouverture d’étape
kind-reminder = rappel
kind-validation_request = demande de validation
kind-validation_refused = demande de modifications
kind-escalation = relance
kind-seminar_invitation = invitation
kind-selection_retained = annonce de sélection
kind-selection_not_retained = annonce de non-sélection
kind-decision_notice = annonce de décision
kind-application_received = confirmation de candidature
kind-duplicate_application = candidature à vérifier
kind-validation_approved = annonce de validation
kind-invitation_cancelled = annulation d’invitation
kind-date_to_fix = date à fixer

## The operator told that late messages are held (French, then English).
operator-held-subject = messages retenus pour { $edition }
operator-held = { $count ->
    [one] Un message de l’édition « { $edition } » est retenu : sa date était déjà passée quand la définition qui le prévoit est arrivée.
   *[other] { $count } messages de l’édition « { $edition } » sont retenus : leur date était déjà passée quand la définition qui les prévoit est arrivée.
}
operator-held-what = Voir : jalon outbox { $edition } --status held — libérer : jalon release { $edition } --by PERSONNE — abandonner : jalon release { $edition } --by PERSONNE --drop

## The notice to the coordination that a changed definition was refused.
rejected-subject = Définition refusée : { $edition }
rejected-lead = Les modifications de la définition de l’édition « { $edition } » ont été refusées : la version précédente reste en service, et rien de ce que vous avez changé ne s’applique. Voici ce que la vérification a trouvé :
rejected-advice = Corrigez le fichier et enregistrez-le à nouveau ; il sera vérifié aussitôt.

## The operator told that the relay fails (French, then English).
operator-relay-subject = le relais SMTP échoue
operator-relay = Le relais SMTP échoue : { $reason }. Aucun message n’est compté comme échoué : tous attendent, et le relais est réessayé de plus en plus espacé (jusqu’à 15 minutes). Vérifiez les réglages de livraison (smtp, mot de passe, TLS) ; les messages partent dès que le relais répond.

## Several alike messages to one person, sent as one email.
grouped-intro = Ce message en regroupe { $count }, un par participant : { $names }.
grouped-same = Ce message concerne { $count } participants : { $names }.
grouped-and = et
grouped-others = { $count } { $count ->
    [one] autre
   *[other] autres
}

## A repeating event in an invitation: « tous les mois du jeudi 16 janvier au jeudi 19 juin 2025, 6 séances ».
event-series = { $every } du { $first } au { $last }, { $count } séances
event-every-days = { $n ->
    [one] tous les jours
   *[other] tous les { $n } jours
}
event-every-weeks = { $n ->
    [one] toutes les semaines
   *[other] toutes les { $n } semaines
}
event-every-months = { $n ->
    [one] tous les mois
   *[other] tous les { $n } mois
}
