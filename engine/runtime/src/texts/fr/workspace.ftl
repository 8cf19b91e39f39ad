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
ws-to-be-fixed = dates à fixer
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
ws-kind-application-received = Candidature reçue
ws-kind-duplicate-application = Candidature à vérifier
ws-kind-validation-approved = Validé
ws-kind-invitation-cancelled = Invitation annulée
ws-kind-date-to-fix = Date à fixer
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
ws-verb-adjourn = Ajourner à la séance suivante
ws-verb-decide = Décider
ws-verb-record = Relever un indicateur
ws-verb-withdraw = Retirer du programme
ws-verb-close = Clore l’édition
ws-verb-void = Annuler un enregistrement
ws-verb-select = Sélection
ws-verb-score = Notes du jury
ws-verb-apply = Candidature
ws-verb-amend = Candidature modifiée
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

## Handing in deliverables
hand-in-title = Rendre { $stage }
hand-in-due = Échéance : { $due }.
hand-in-changes = { $who } a demandé des modifications le { $at } : { $comment }
hand-in-earlier = Déjà remis
hand-in-version = Version { $round }, remise le { $at } par { $by }
hand-in-takes = { $kinds }. { $min ->
    [0] Facultatif, jusqu’à { $max } pièces
    [one] { $max ->
        [one] Une pièce
       *[other] De une à { $max } pièces
    }
   *[other] De { $min } à { $max } pièces
  }, { $size } au plus par fichier.
hand-in-kind-pdf = PDF
hand-in-kind-office = Word, Excel, PowerPoint ou OpenDocument
hand-in-kind-image = image (PNG, JPEG, GIF, WebP)
hand-in-kind-link = lien vers un document en ligne
hand-in-files = Fichiers (vous pouvez en choisir plusieurs)
hand-in-link = Ou l’adresse d’un document en ligne
hand-in-link-only = Adresse du document en ligne
hand-in-comment = Un commentaire (facultatif)
hand-in-comment-validators = Un mot pour les personnes qui valident (facultatif)
hand-in-submit = Rendre
hand-in-back = Retour à la page du participant
hand-in-problems = Rien n’a été remis. À corriger :
hand-in-refused-title = Remise refusée
hand-in-busy-title = Réessayez dans une minute
hand-in-busy = Plusieurs remises sont en cours d’envoi. Rien n’a été enregistré : réessayez dans une minute.
hand-in-expired-title = Lien expiré
hand-in-expired = Ce lien de remise a expiré. Rien n’a été enregistré. Connectez-vous à votre espace pour rendre votre travail, ou écrivez à la coordination du programme.
hand-in-done-title = Travail remis
hand-in-done = Merci : votre remise pour { $stage } est enregistrée (n° { $seq }).
hand-in-done-validation = Les personnes qui valident en sont informées par email. Si elles demandent des modifications, vous recevrez un email et pourrez rendre une nouvelle version.
hand-in-done-finished = L’étape est terminée.
hand-in-not-now-title = Rien à rendre pour le moment
hand-in-not-now-awaiting = Le travail remis le { $at } attend la validation. Si des modifications sont demandées, vous pourrez rendre une nouvelle version ici.
hand-in-not-now-done = Cette étape est terminée : il n’y a plus rien à rendre.
hand-in-not-now-closed = L’édition est close : plus rien n’est enregistré.
hand-in-not-now = Cette étape n’attend pas de remise pour le moment.
hand-in-problem-empty = le fichier « { $name } » est vide
hand-in-problem-too-large = le fichier « { $name } » dépasse { $limit }
hand-in-problem-unrecognised = « { $name } » n’est ni un PDF, ni un document bureautique, ni une image (son contenu : { $seen })
hand-in-problem-bomb = « { $name } » se décompresse en un volume anormal : il est refusé
hand-in-problem-damaged = « { $name } » est endommagé et ne peut pas être lu
hand-in-problem-not-accepted = « { $name } » est un fichier { $kind }, que « { $deliverable } » n’accepte pas
hand-in-problem-link-not-accepted = « { $deliverable } » n’accepte pas de lien : joignez un fichier
hand-in-problem-bad-link = « { $url } » n’est pas une adresse web (elle commence par https://)
hand-in-problem-too-few = « { $deliverable } » demande au moins { $min ->
    [one] une pièce
   *[other] { $min } pièces
  }
hand-in-problem-too-many = « { $deliverable } » prend au plus { $max ->
    [one] une pièce
   *[other] { $max } pièces
  } ({ $given } données)
hand-in-problem-hand-in-too-large = les fichiers pèsent ensemble plus de { $limit } : envoyez les plus lourds sous forme de lien
hand-in-problem-edition-full = l’espace des documents de l’édition est plein : écrivez à la coordination du programme
hand-in-problem-unknown = le formulaire ne correspond plus à l’étape : rechargez la page
hand-in-problem-nothing = choisissez au moins un fichier, ou donnez une adresse
hand-in-problem-too-many-parts = le formulaire contient trop de champs
hand-in-problem-malformed = le formulaire est arrivé incomplet : réessayez
ws-verb-hand-in = Rendre
ws-handed = Version { $round } remise le { $at } :
hand-in-seen-html = une page web (HTML)
hand-in-seen-svg = une image SVG, qui peut contenir du code
hand-in-seen-xml = du XML
hand-in-seen-script = un script
hand-in-seen-text = du texte brut
hand-in-seen-program = un programme
hand-in-seen-archive = une archive
hand-in-seen-image = une image d’un format non pris en charge
hand-in-seen-media = du son ou de la vidéo
hand-in-seen-other = un format inconnu
ws-field-retain = Les candidats retenus
ws-error-retain-needed = Cochez au moins un candidat à retenir.
ws-average = moyenne { $average }
ws-recap-retained = Retenus
ws-verb-jury = Notes du jury
ws-jury-not-yet = Ce jury ne s’est pas encore ouvert.
ws-jury-until = Les notes peuvent être données et changées jusqu’au { $due } inclus.
ws-jury-closed = Le jury est clos (échéance du { $due }) : les notes ne changent plus.
ws-jury-mine = Vos dossiers à noter
ws-jury-count = { $count ->
    [one] Un dossier vous est confié
   *[other] { $count } dossiers vous sont confiés
  }{ $missing ->
    [0] , tous notés.
    [one] , dont un reste à noter.
   *[other] , dont { $missing } restent à noter.
  }
ws-jury-scored = Noté le { $at }
ws-jury-to-score = À noter
ws-jury-criterion = { $title } (coefficient { $weight }, de { $min } à { $max })
ws-jury-save = Enregistrer ma note
ws-jury-change = Modifier ma note
ws-jury-ranking = Classement
ws-jury-no-scores = Aucune note pour le moment.
ws-jury-minimum = Moyenne minimale pour être retenu : { $minimum }.
ws-jury-rank = Rang
ws-jury-candidate = Candidat
ws-jury-average = Moyenne pondérée
ws-jury-scores = Notes
ws-jury-spread = Écart entre jurés
ws-jury-tie = ex æquo
ws-jury-below = sous le minimum
ws-jury-progress = Avancement des notes
ws-jury-juror = { $name } : { $given } sur { $count ->
    [one] un dossier
   *[other] { $count } dossiers
  }
ws-jury-not-a-number = « { $value } » n’est pas une note : écrivez un nombre entier.
ws-field-reason-left-out = Motif si « { $name } » n’est pas retenu (facultatif, transmis au candidat)

# The columns and words of `jalon export --format csv`.
export-column-stage = Étape
export-column-participant = Participant
export-column-state = État
export-column-late = En retard
export-column-start = Début
export-column-due = Échéance
export-column-done_at = Terminée le
export-column-outcome = Décision
export-column-approvals = Validations
export-column-refusals = Modifications demandées
export-column-scores = Notes du jury
export-column-indicators = Indicateurs
export-column-handed_in = Documents remis
export-yes = oui
export-no = non

# The participants' amounts (`jalon export --format participants-csv`, `jalon plan`).
export-column-status = Statut
export-column-grant = Subvention
export-column-prize = Prix
export-column-amount = Total
export-awarded = Total attribué (hors non retenus et retirés)
export-budget = Budget
export-budget-left = Reste du budget
plan-budget = Budget : { $budget } — attribués : { $awarded }
plan-awarded = Attribués : { $awarded }
