# The engine's refusals, as a person reads them. Non-breaking spaces
# (U+00A0) inside « » and before : ; ! ? as French typography wants.
refusal-did-you-mean =  (vouliez-vous dire « { $id } » ?)
refusal-unknown-stage = il n’y a pas d’étape « { $id } » dans cette édition{ $hint }
refusal-unknown-participant = il n’y a pas de participant « { $id } » dans cette édition{ $hint }
refusal-unknown-person = il n’y a personne d’identifiant « { $id } » dans cette édition{ $hint }
refusal-participant-needed = l’étape « { $stage } » se déroule pour chaque participant : dites lequel
refusal-no-participant-expected = l’étape « { $stage } » se déroule une fois pour toute l’édition : elle ne concerne pas un participant
refusal-no-instance = « { $participant } » n’a pas d’étape « { $stage } » : { $why }
refusal-wrong-state = « { $what } » est { $state } : { $why }
refusal-unknown-deliverable = l’étape « { $stage } » ne demande pas de livrable « { $deliverable } »{ $hint }
refusal-reason-for-retained = un motif est donné pour « { $participant } », qui n’est pas parmi les non-retenus
refusal-no-validation = l’étape « { $stage } » n’attend aucune validation
refusal-not-a-validator = { $person } ne peut pas valider « { $what } » : les personnes qui valident sont { $validators }
refusal-already-approved = { $person } a déjà validé « { $what } » le { $at }
refusal-empty-comment = pour demander des modifications, dites lesquelles dans le commentaire
refusal-not-a-selection = l’étape « { $stage } » ne sélectionne personne
refusal-use-select = l’étape « { $stage } » sélectionne des participants : enregistrez-la avec « select », pas « { $verb } »
refusal-use-decide = l’étape « { $stage } » est une décision : enregistrez-la avec « decide », pas « { $verb } »
refusal-selection-count = « { $stage } » retient de { $min } à { $max } participants, pas { $count }
refusal-not-in-pool = « { $participant } » ne peut pas être sélectionné à « { $stage } » : { $why }
refusal-duplicate = « { $participant } » figure deux fois
refusal-no-jury = l’étape « { $stage } » n’a pas de jury
refusal-no-scores = aucune note n’est enregistrée pour « { $stage } » : nommez les participants retenus, ou enregistrez d’abord les notes
refusal-tie = les notes sont à égalité à la dernière place retenue ({ $place }) : { $tied } — nommez les lauréats vous-même
refusal-not-on-jury = { $person } ne fait pas partie du jury de « { $stage } »
refusal-already-scored = { $person } a déjà noté « { $participant } » à « { $stage } », et la date du jury est passée : les notes ne changent plus
refusal-unknown-criterion = le critère « { $criterion } » n’est pas un critère de « { $stage } » : { $known }
refusal-missing-criteria = il manque les notes des critères { $missing }
refusal-out-of-scale = la note { $value } pour « { $criterion } » sort de l’échelle de { $min } à { $max }
refusal-not-a-decision = l’étape « { $stage } » ne prend pas de décision
refusal-unknown-outcome = « { $outcome } » n’est pas une issue de « { $stage } » : { $known }
refusal-unknown-indicator-none = « { $indicator } » n’est pas un indicateur de « { $stage } » (elle n’en a aucun)
refusal-unknown-indicator = « { $indicator } » n’est pas un indicateur de « { $stage } » : { $known }
refusal-already-out = « { $participant } » a déjà quitté l’édition ({ $status })
refusal-nothing-to-postpone = un report demande une nouvelle date de début, une nouvelle échéance, ou les deux
refusal-due-before-start = les nouvelles dates finissent avant de commencer (du { $start } au { $due })
refusal-out-of-order = cet acte est daté du { $at }, avant le dernier enregistré ({ $last }) : le journal ne remonte pas le temps ; s’il a été enregistré par erreur, annulez-le (« jalon void », son numéro figure dans « jalon log »)
refusal-edition-closed = l’édition a été close le { $at } : plus rien n’est enregistré pour elle
refusal-void-needs-the-log = une annulation porte sur un acte du journal enregistré : faites-la avec « jalon void ÉDITION NUMÉRO »

## Where a stage stands.
state-waiting = en attente de ce dont elle dépend
state-open = ouverte
state-awaiting-validation = en attente de validation depuis le { $since }
state-done = terminée depuis le { $since }
state-skipped = sautée ({ $reason })

## Why the act does not fit now.
not-now-nothing-to-approve = il n’y a rien à valider
not-now-nothing-to-refuse = il n’y a rien à refuser
not-now-nothing-to-measure = rien ne peut y être mesuré
not-now-needs-first = terminez d’abord ce dont elle dépend ({ $needs })
not-now-answer-first = validez-la ou refusez-la d’abord
not-now-closed = elle ne peut plus changer
not-now-dates-fixed = ses dates ne peuvent plus bouger
refusal-not-assigned = { $person } ne note pas « { $participant } » à l’étape « { $stage } » : ce dossier est confié à d’autres membres du jury
refusal-below-minimum = « { $participant } » a une moyenne de { $average }, sous le minimum du jury ({ $minimum }) : il ne peut pas être retenu
