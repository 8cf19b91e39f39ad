# Calls for applications: the public form, its pages, and what the workspace shows of them.
call-title = Candidater à « { $edition } »
call-title-short = Appel à candidatures
call-programme = { $programme } — { $edition }
call-closes-at = { $date } à { $time }
call-closes-day = { $date } inclus
call-open-until = Candidatures ouvertes jusqu’au { $closes }.
call-not-yet = L’appel à candidatures n’est pas encore ouvert.
call-not-yet-date = L’appel à candidatures ouvrira le { $opens }.
call-closed = L’appel à candidatures est clos depuis le { $closes }.
call-required-note = Tous les champs sont obligatoires, sauf ceux marqués « facultatif ».
call-optional = (facultatif)
call-section-project = Le projet
call-section-questions = Questions
call-section-contact = La personne à contacter
call-field-name = Nom du projet
call-field-organisation = Structure porteuse
call-field-description = Description du projet
call-field-theme = Thématique
call-field-contact_name = Prénom et nom
call-field-contact_email = Adresse email
call-hint-length = { $max } caractères au plus.
call-hint-contact-email = Vous y recevrez la confirmation et le lien pour modifier votre candidature.
call-hint-number = Un nombre entier.
call-hint-date = Par exemple 2025-03-07.
call-hint-url = Une adresse complète, commençant par https://
call-choose = Choisissez une réponse
call-yes = Oui
call-no = Non
call-honeypot = Ne remplissez pas ce champ.
call-submit = Envoyer ma candidature
call-save = Enregistrer les modifications
call-errors = { $count ->
    [one] Le formulaire contient une erreur : rien n’est envoyé.
   *[other] Le formulaire contient { $count } erreurs : rien n’est envoyé.
}
call-error-prefix = Erreur :
call-error-missing = renseignez ce champ.
call-error-too-long = écrivez { $max } caractères au plus.
call-error-not-a-number = écrivez un nombre entier, sans virgule.
call-error-too-small = écrivez un nombre d’au moins { $min }.
call-error-too-large = écrivez un nombre d’au plus { $max }.
call-error-not-a-choice = choisissez une des réponses proposées.
call-error-not-an-address = écrivez une adresse web complète, commençant par https://
call-error-not-a-date = écrivez une date, par exemple 2025-03-07.
call-error-not-an-email = écrivez une adresse email de la forme nom domaine.fr.
call-error-unknown-question = cette question n’est pas posée par l’appel.
call-received-title = Candidature enregistrée
call-received = Merci. Votre candidature « { $name } » est enregistrée.
call-received-email = Un email de confirmation part vers { $email }. Il contient un lien personnel pour modifier votre candidature jusqu’au { $closes }.
call-amended-title = Candidature modifiée
call-amended = Vos modifications sont enregistrées. Un email de confirmation part vers { $email }.
call-refused-title = Candidature non enregistrée
call-too-many-title = Trop d’envois
call-too-many = Trop de candidatures sont parties de cette adresse en peu de temps. Réessayez dans un quart d’heure.
call-your-application = Votre candidature
call-read-only = Votre candidature ne peut plus changer. La voici telle qu’elle a été transmise.
call-unknown-title = Lien inconnu
call-unknown = Ce lien ne correspond à aucune candidature. Vérifiez qu’il est complet, tel qu’il figure dans l’email de confirmation.
call-no-call-title = Pas d’appel à candidatures
call-no-call = Ce programme n’a pas d’appel à candidatures ouvert à cette adresse.
call-other-language = English version
call-same-organisation = même structure
call-same-contact = même adresse email
call-ws-heading = Candidatures
call-ws-count = { $count ->
    [0] Aucune candidature reçue.
    [one] Une candidature reçue.
   *[other] { $count } candidatures reçues.
}
call-ws-form = Formulaire public
call-ws-look-alike = Ressemble à { $other } : { $same }
call-ws-application = Candidature
call-ws-versions = { $count ->
    [one] Déposée le { $at }.
   *[other] { $count } versions, la dernière le { $at }.
}
