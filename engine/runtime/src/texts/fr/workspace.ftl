# The workspace's pages: sign-in, what awaits the person, editions,
# participants, messages, the audit trail and the actions.
# French typography: a no-break space (U+00A0) before : ; ! ? and inside « ».

## Sign-in.
ws-sign-in-title = Connexion
ws-sign-in-lead = Indiquez votre adresse email : nous vous envoyons un lien de connexion, valable 15 minutes et utilisable une fois. Aucun mot de passe n’est demandé.
ws-sign-in-address = Adresse email
ws-sign-in-send = Recevoir le lien
ws-sign-in-not-an-address = Cette adresse n’est pas complète : écrivez-la sous la forme nom@exemple.fr.
ws-sign-in-too-many = Trop de demandes de lien en peu de temps. Réessayez dans un quart d’heure, ou utilisez le dernier lien reçu.
ws-sign-in-sent-title = Vérifiez votre messagerie
ws-sign-in-sent = Si l’adresse { $email } est celle d’une personne du programme, un lien de connexion vient de lui être envoyé.
ws-sign-in-sent-what = Il est valable 15 minutes et ne sert qu’une fois. Rien reçu ? Regardez dans les indésirables, puis redemandez un lien.
ws-sign-in-again = Demander un nouveau lien
ws-form-expired-title = Formulaire expiré
ws-form-expired = Ce formulaire a expiré ou ne vient pas de ce site. Rien n’a été enregistré : rechargez la page et recommencez.
ws-link-title = Se connecter
ws-link-lead = Pour ouvrir votre espace, confirmez la connexion.
ws-link-button = Me connecter
ws-link-unknown-title = Lien inconnu
ws-link-unknown = Ce lien de connexion n’est pas valide : il a pu être mal copié.
ws-link-used-title = Lien déjà utilisé
ws-link-used = Ce lien de connexion a déjà servi. Chaque lien ne sert qu’une fois.
ws-link-expired-title = Lien expiré
ws-link-expired = Ce lien de connexion avait 15 minutes de validité, elles sont passées.
ws-link-nobody-title = Accès fermé
ws-link-nobody = Cette adresse ne figure plus dans les programmes suivis ici. Contactez la coordination du programme.
ws-trouble-title = Indisponible
ws-trouble = La page ne peut pas être affichée pour le moment. Rien n’a été enregistré ; réessayez dans quelques minutes.
ws-sign-out = Se déconnecter
ws-home = Accueil

## The sign-in email.
ws-mail-subject = Votre lien de connexion à { $programme }
ws-mail-body =
    Bonjour { $name },

    Pour ouvrir votre espace du programme { $programme }, suivez ce lien dans les 15 minutes :

    { $url }

    Le lien ne sert qu’une fois. Si vous n’avez rien demandé, ignorez ce message : personne ne peut se connecter sans lui.

## What awaits the person, and the editions.
ws-hello = Bonjour { $name }
ws-waiting-title = Ce qui vous attend
ws-nothing-waiting = Rien ne vous attend pour le moment.
ws-running = en cours
ws-upcoming = à venir
ws-closed = terminée
ws-running-editions = Éditions en cours
ws-upcoming-editions = Éditions à venir
ws-closed-editions = Éditions terminées
ws-window = du { $start } au { $due }
ws-on-day = le { $date }
ws-planned = prévu { $window }
ws-held = { $count ->
    [one] Un message retenu pour « { $edition } » : à laisser partir ou à abandonner
   *[other] { $count } messages retenus pour « { $edition } » : à laisser partir ou à abandonner
}
ws-failed = { $count ->
    [one] Un message de « { $edition } » n’a pas pu être remis
   *[other] { $count } messages de « { $edition } » n’ont pas pu être remis
}
ws-not-found-title = Page introuvable
ws-not-found = Cette page n’existe pas, ou elle ne vous est pas ouverte.
ws-edition-closed = Édition close le { $at } : { $reason }
ws-counts = { $count } au total : { $open } ouvertes, { $awaiting } à valider, { $done } faites, { $late } en retard
ws-more = { $count ->
    [one] … et une autre, sur la page de l’édition.
   *[other] … et { $count } autres, sur la page de l’édition.
}
ws-edition-pages = Pages de l’édition
ws-edition-acts = Actions sur l’édition
ws-timeline = Calendrier
ws-stages = Étapes
ws-participants = Participants
ws-stage = Étape
ws-participant = Participant
ws-indicators = Indicateurs
ws-indicator = Indicateur
ws-target = Cible
ws-recorded = Relevé

## States.
ws-life-waiting = en attente des étapes précédentes
ws-life-scheduled = programmée
ws-life-open = ouverte
ws-life-awaiting = à valider
ws-life-done = faite
ws-life-skipped = sans objet
ws-life-not-recorded = non enregistrée (édition close)
ws-late = en retard
ws-done-on = faite le { $at }
ws-awaits = attend la validation de { $who }
ws-awaits-you = attend votre validation
ws-awaits-you-and = attend votre validation et celle de { $who }
ws-changes-asked = modifications demandées par { $who } : « { $comment } »
ws-status-candidate = candidat
ws-status-shortlisted = présélectionné
ws-status-laureate = lauréat
ws-status-not-retained = non retenu
ws-status-withdrawn = retiré

## Messages and the audit trail.
ws-messages-title = Messages
ws-journal-title = Journal
ws-no-messages = Aucun message.
ws-no-events = Rien n’est enregistré.
ws-newest-only = Les { $shown } plus récents sur { $count }.
ws-when = Quand
ws-what = Quoi
ws-to = À qui
ws-who = Qui
ws-channel = Par
ws-delivery = Remise
ws-attempts = Tentatives de remise
ws-filter = Filtrer
ws-void-this = Annuler cet enregistrement
ws-voided = annulé
ws-delivery-pending = à envoyer
ws-delivery-retry = nouvel essai prévu
ws-delivery-held = retenu
ws-delivery-sent = envoyé
ws-delivery-failed = non remis
ws-delivery-expired = périmé
ws-kind-stage-opened = Ouverture d’étape
ws-kind-reminder = Rappel
ws-kind-validation-request = Demande de validation
ws-kind-validation-refused = Modifications demandées
ws-kind-escalation = Relance
ws-kind-seminar-invitation = Invitation
ws-kind-seminar-invitation-update = Invitation, nouvelle date
ws-kind-selection-retained = Sélection : retenu
ws-kind-selection-not-retained = Sélection : non retenu
ws-kind-decision-notice = Décision
ws-kind-digest = Récapitulatif
ws-kind-delivery-failure = Échec de remise
ws-kind-held = Messages retenus
ws-kind-reload-rejected = Définition refusée
ws-channel-cli = l’opérateur (ligne de commande)
ws-channel-link = lien email
ws-channel-api = API
ws-channel-script = simulation
ws-channel-import = import
ws-channel-web = espace web

## Actions.
ws-verb-complete = Marquer comme fait
ws-verb-approve = Valider
ws-verb-refuse = Demander des modifications
ws-verb-postpone = Reporter
ws-verb-decide = Décider
ws-verb-record = Relever un indicateur
ws-verb-withdraw = Retirer du programme
ws-verb-close = Clore l’édition
ws-verb-void = Annuler un enregistrement
ws-verb-select = Sélection
ws-verb-score = Notes du jury
ws-verb-release = Envoi des messages retenus
ws-verb-retry = Nouvel essai d’envoi
ws-field-comment-optional = Commentaire (facultatif)
ws-field-changes = Modifications demandées (obligatoire)
ws-field-new-start = Nouveau début (facultatif)
ws-field-new-due = Nouvelle échéance
ws-field-reason = Motif
ws-field-outcome = Décision
ws-field-value = Valeur relevée
ws-field-seq = Numéro de l’enregistrement à annuler
ws-current-window = Dates actuelles : { $window }.
ws-void-where = Le numéro de chaque enregistrement figure dans la première colonne du journal :
ws-see-before = Voir ce qui sera envoyé
ws-confirm = Confirmer
ws-cancel = Annuler
ws-recap-comment = Commentaire
ws-recap-changes = Modifications demandées
ws-recap-start = Nouveau début
ws-recap-due = Nouvelle échéance
ws-recap-reason = Motif
ws-recap-outcome = Décision
ws-recap-indicator = Indicateur
ws-recap-value = Valeur relevée
ws-recap-seq = Enregistrement à annuler
ws-preview-lead = Vérifiez avant de confirmer : rien n’est encore enregistré.
ws-preview-moves = Ce qui change
ws-preview-no-message = Aucun message ne partira aussitôt.
ws-preview-messages = { $count ->
    [one] Le message qui partira
   *[other] Les { $count } messages qui partiront
}
ws-preview-withdrawn = { $count ->
    [one] Un message prévu ne partira pas.
   *[other] { $count } messages prévus ne partiront pas.
}
ws-refused = Non enregistré : { $reason }
ws-error-too-long = Le texte est trop long (5 000 caractères au plus).
ws-error-date = « { $value } » n’est pas une date (jj/mm/aaaa).
ws-error-changes-needed = Dites quelles modifications vous demandez.
ws-error-due-needed = Indiquez la nouvelle échéance.
ws-error-reason-needed = Indiquez le motif.
ws-error-outcome-needed = Choisissez la décision.
ws-error-indicator-needed = Choisissez l’indicateur.
ws-error-value-needed = Indiquez la valeur relevée.
ws-error-seq-needed = Indiquez le numéro de l’enregistrement, tel que le journal le montre.
