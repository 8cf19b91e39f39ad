# The validation-link pages and the status pages.

## Validation links whose holder is unknown: shown in French and in English,
## the title as « French — English ».
link-unknown-title = Lien inconnu
link-unknown = Ce lien de validation n’est pas valide : il a pu être mal copié ou modifié. Rien n’a été enregistré. Ouvrez le lien exact de votre email, ou contactez la coordination du programme.
link-not-running-title = Lien clos
link-not-running = L’édition de ce lien n’est plus suivie ici. Rien n’a été enregistré ; contactez la coordination du programme.
link-trouble-title = Indisponible
link-trouble = Ce lien ne peut pas être traité pour le moment. Rien n’a été enregistré ; réessayez dans quelques minutes.

## The answers, as nouns (« votre validation »).
link-answer-approve = validation
link-answer-refuse = demande de modifications

## A link that cannot be answered any more.
link-expired-title = Lien expiré
link-expired = Ce lien a expiré le { $expires }. Rien n’a été enregistré. Pour donner votre réponse, contactez la coordination du programme.
link-stale-title = Lien remplacé
link-stale = Ce lien concernait une version précédente de ce travail, soumise à nouveau depuis. Rien n’a été enregistré : ouvrez le lien du dernier email reçu.
link-already-title = Déjà enregistré
link-already = Votre réponse a déjà été enregistrée par vous le { $at } ({ $answer }). Rien de plus n’a été enregistré.

## The engine refused the answer; its reason comes between these two.
link-refused-title = Réponse impossible
link-refused-lead = Cette réponse ne peut pas être enregistrée :
link-refused-nothing = Rien n’a été enregistré. En cas de doute, contactez la coordination du programme.

## The answer is recorded.
link-recorded-title = Réponse enregistrée
link-recorded = Merci, { $person }. Votre { $answer } est enregistrée (n° { $seq }). Les personnes concernées en sont informées par email.

## The confirmation page and its form.
link-form-title = Validation
link-form-greeting = Bonjour { $person },
link-form-stage = Étape
link-form-participant = Participant
link-form-submitted = Soumis le
link-form-to-approve = À valider :
link-form-comment = Commentaire (obligatoire pour demander des modifications)
link-form-approve = Valider
link-form-refuse = Demander des modifications
link-form-note = Rien n’est enregistré avant que vous appuyiez sur un bouton. Ce lien vous est personnel, ne sert qu’une fois et expire le { $expires }.

## What was wrong with the form as sent.
link-error-no-answer = Choisissez Valider ou Demander des modifications.
link-error-comment-too-long = Ce commentaire est trop long.
link-error-comment-needed = Pour demander des modifications, dites lesquelles dans le commentaire.

## The status pages (shown in English for now). New French, so with
## no-break spaces (U+00A0) inside « » and before :, as in refusals.ftl;
## the link texts above keep the spaces they always had.
status-none-running = Aucune édition n’est en cours.
status-running = Éditions en cours :
status-no-such-edition-title = Édition inconnue
status-no-such-edition = Aucune édition en cours ne s’appelle « { $id } ».
status-all-editions = Toutes les éditions
status-unavailable = État indisponible
status-at = État au { $at } ({ $count ->
    [one] { $count } événement enregistré
   *[other] { $count } événements enregistrés
}).
status-stage = Étape
status-state = État
status-start = Début
status-due = Échéance
status-note = Remarque
status-participants = Participants
status-left-since = { $status } depuis le { $at }
status-held = { $count ->
    [one] Un message est retenu : il était déjà en retard quand sa définition est arrivée. Il attend d’être libéré (jalon release { $edition }) ou abandonné (--drop).
   *[other] { $count } messages sont retenus : ils étaient déjà en retard quand leur définition est arrivée. Ils attendent d’être libérés (jalon release { $edition }) ou abandonnés (--drop).
}
status-closed = Édition close le { $at } par { $by } : { $reason }

## The timeline of an edition: an SVG chart in the workspace pages. Its
## words, in the chart and in what screen readers say of it. French
## typography: ’, and no-break spaces (U+00A0) before : ; ! ? and inside « ».
timeline-title = Calendrier de l’édition « { $edition } »
timeline-summary = { $stages ->
    [one] { $stages } étape
   *[other] { $stages } étapes
}, { $late ->
    [0] aucune en retard
   *[other] { $late } en retard
}.
timeline-today-on = Aujourd’hui : { $date }.
timeline-late-list = En retard : { $list }.
timeline-late-more = { $list } et { $count } autres
timeline-today = aujourd’hui
timeline-month = { $month ->
    [1] janv.
    [2] févr.
    [3] mars
    [4] avr.
    [5] mai
    [6] juin
    [7] juil.
    [8] août
    [9] sept.
    [10] oct.
    [11] nov.
   *[12] déc.
}
timeline-month-year = { $month } { $year }
## One row for the participants beyond those shown of a stage.
timeline-others = { $count ->
    [one] { $count } autre { $status ->
        [laureate] lauréat
        [shortlisted] candidat présélectionné
       *[candidate] candidat
    }
   *[other] { $count } autres { $status ->
        [laureate] lauréats
        [shortlisted] candidats présélectionnés
       *[candidate] candidats
    }
}
timeline-others-late = dont { $count } en retard
## A stage for each participant, before anyone reaches it.
timeline-none-yet = { $status ->
    [laureate] pas encore de lauréat
    [shortlisted] aucun présélectionné
   *[candidate] pas encore de candidat
}
## Where a row stands (its tooltip).
timeline-state-waiting = en attente des étapes précédentes
timeline-state-scheduled = à venir
timeline-state-open = en cours
timeline-state-awaiting = en attente de validation
timeline-state-done = terminée le { $date }
timeline-state-skipped = sans objet
timeline-state-unrecorded = non enregistrée (édition close)
timeline-late = en retard
timeline-window = du { $start } au { $due }
timeline-day = le { $date }
timeline-to-be-fixed = dates à fixer
timeline-planned = prévue { $window }
timeline-postponed = { $count ->
    [one] reportée une fois
   *[other] reportée { $count } fois
}
timeline-lead = remise aux valideurs le { $date } au plus tard
timeline-outcome = décision : { $outcome }
## The legend.
timeline-legend-upcoming = à venir
timeline-legend-open = en cours
timeline-legend-done = terminée (✓ : le jour de fin)
timeline-legend-late = en retard
timeline-legend-skipped = sans objet
timeline-legend-planned = dates prévues, avant report
timeline-legend-lead = temps des valideurs
timeline-legend-event = séminaire, événement

## Hand-in links and documents
link-unknown-hand-in-title = Lien inconnu
link-unknown-hand-in = Ce lien de remise n’est pas valide : il a pu être mal copié ou modifié. Rien n’a été enregistré. Ouvrez le lien exact de votre email, ou contactez la coordination du programme.
document-unknown-title = Document introuvable
document-unknown = Ce document n’existe pas, ou ce lien ne permet plus de l’ouvrir. Ouvrez-le depuis votre espace ou depuis le lien exact de votre email.
link-form-handed = Documents remis
link-form-handed-note = Le mot de { $who } : « { $comment } »
