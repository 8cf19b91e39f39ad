# The validation-link pages and the status pages.

## Validation links whose holder is unknown: shown in French and in English,
## the title as « French — English ».
link-unknown-title = Lien inconnu
link-unknown = Ce lien de validation n'est pas valide : il a pu être mal copié ou modifié. Rien n'a été enregistré. Ouvrez le lien exact de votre email, ou contactez la coordination du programme.
link-not-running-title = Lien clos
link-not-running = L'édition de ce lien n'est plus suivie ici. Rien n'a été enregistré ; contactez la coordination du programme.
link-trouble-title = Indisponible
link-trouble = Ce lien ne peut pas être traité pour le moment. Rien n'a été enregistré ; réessayez dans quelques minutes.

## The answers, as nouns (« votre validation »).
link-answer-approve = validation
link-answer-refuse = demande de modifications

## A link that cannot be answered any more.
link-expired-title = Lien expiré
link-expired = Ce lien a expiré le { $expires }. Rien n'a été enregistré. Pour donner votre réponse, contactez la coordination du programme.
link-stale-title = Lien remplacé
link-stale = Ce lien concernait une version précédente de ce travail, soumise à nouveau depuis. Rien n'a été enregistré : ouvrez le lien du dernier email reçu.
link-already-title = Déjà enregistré
link-already = Votre réponse a déjà été enregistrée par vous le { $at } ({ $answer }). Rien de plus n'a été enregistré.

## The engine refused the answer; its reason comes between these two.
link-refused-title = Réponse impossible
link-refused-lead = Cette réponse ne peut pas être enregistrée :
link-refused-nothing = Rien n'a été enregistré. En cas de doute, contactez la coordination du programme.

## The answer is recorded.
link-recorded-title = Réponse enregistrée
link-recorded = Merci, { $person }. Votre { $answer } est enregistrée (n° { $seq }). Les personnes concernées en sont informées par email.

## The confirmation page and its form.
link-form-title = Validation
link-form-greeting = Bonjour { $person },
link-form-stage = Étape
link-form-participant = Participant
link-form-submitted = Soumis le
link-form-to-approve = À valider :
link-form-comment = Commentaire (obligatoire pour demander des modifications)
link-form-approve = Valider
link-form-refuse = Demander des modifications
link-form-note = Rien n'est enregistré avant que vous appuyiez sur un bouton. Ce lien vous est personnel, ne sert qu'une fois et expire le { $expires }.

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
