import type { InterviewStrings } from './en.ts';

export const fr: InterviewStrings = {
  regionLabel: 'Entretien',
  regionLabelJob: 'Entretien : {job}',
  loading: 'Chargement de votre entretien…',
  starting: 'Démarrage de votre entretien…',
  companyLogo: 'Logo de {company}',

  preCheckHeading: 'Avant de commencer',
  summary: '{interviewer}, un recruteur IA, vous posera {questions}. L’entretien dure au maximum {minutes}.',
  questionsOne: '{count} question',
  questionsOther: '{count} questions',
  minutesOne: '{count} minute',
  minutesOther: '{count} minutes',
  resumeNote: 'Votre entretien a déjà commencé. Vous pouvez le reprendre là où vous l’avez laissé.',

  microphoneHeading: 'Votre micro',
  microphoneRequesting:
    'Demande d’accès à votre micro… Si votre navigateur vous le demande, choisissez Autoriser.',
  microphoneReady: 'Votre micro fonctionne. Dites quelques mots et regardez le niveau bouger.',
  microphoneDeniedTitle: 'L’accès au micro est bloqué',
  microphoneDeniedHelp:
    'Pour répondre à voix haute, autorisez cette page à utiliser votre micro : sélectionnez l’icône à côté de l’adresse web (un cadenas ou une caméra), réglez Micro sur Autoriser, puis choisissez Réessayer. Si rien ne change, rechargez la page.',
  microphoneUnavailable: 'Aucun micro n’a été trouvé. Branchez-en un, puis choisissez Réessayer.',
  microphoneUnsupported:
    'Les réponses orales ne fonctionnent pas sur cette page ou dans ce navigateur : vous répondrez par écrit.',
  microphoneRetry: 'Réessayer',
  deviceLabel: 'Micro',
  deviceUnnamed: 'Micro {count}',
  levelLabel: 'Niveau du micro',
  answerByText: 'Répondre par écrit',
  answerByVoice: 'Répondre à voix haute',
  textOnlyNote: 'Vous répondrez par écrit : vous n’avez pas besoin de micro.',

  consentHeading: 'Information sur l’enregistrement',
  consentAccept: 'J’ai lu cette information et j’accepte de continuer.',
  consentRequired: 'Veuillez accepter l’information sur l’enregistrement pour commencer.',
  microphoneRequired: 'Veuillez autoriser votre micro, ou choisir de répondre par écrit.',
  microphoneRequiredNoText: 'Veuillez autoriser votre micro pour commencer.',
  start: 'Commencer l’entretien',
  resume: 'Reprendre l’entretien',

  liveHeading: 'Entretien en cours',
  progress: 'Question {current} sur {total}',
  timeLeft: 'Temps restant',
  interviewerSpeaking: '{interviewer} parle',
  interviewerThinking: '{interviewer} prépare la question suivante…',
  yourTurnText: 'À vous : écrivez votre réponse.',
  yourTurnVoice: 'À vous : répondez à voix haute quand vous êtes prêt ou prête.',
  listening: 'Écoute en cours…',
  muted: 'Votre micro est coupé.',
  captionsLabel: 'Sous-titres',
  captionsEmpty: 'Ce que vous et {interviewer} dites s’affichera ici.',
  you: 'Vous',
  mute: 'Couper le micro',
  end: 'Terminer l’entretien',
  endConfirmHeading: 'Terminer l’entretien maintenant ?',
  endConfirmText: 'Vos réponses sont conservées, mais vous ne pourrez pas revenir à cet entretien.',
  endConfirm: 'Oui, terminer',
  endCancel: 'Continuer l’entretien',
  answerLabel: 'Votre réponse',
  answerPlaceholder: 'Écrivez votre réponse ici…',
  answerHint: 'Appuyez sur Entrée pour envoyer, ou sur Maj+Entrée pour aller à la ligne.',
  answerWait: 'Vous pourrez envoyer votre réponse quand {interviewer} aura terminé.',
  send: 'Envoyer',
  sending: 'Envoi…',

  reconnecting: 'Connexion perdue. Reconnexion en cours…',
  reconnectingDetail: 'Rien de ce que vous avez dit n’est perdu.',

  completedHeading: 'Merci !',
  completedText: 'Votre entretien est terminé. {company} va l’examiner et reviendra vers vous pour la suite.',
  completedTimeLimit: 'Le temps prévu pour cet entretien est écoulé.',
  completedYouEnded: 'Vous avez mis fin à l’entretien.',

  errorHeading: 'Un problème est survenu',
  errorSessionInvalid:
    'Ce lien d’entretien n’est plus valable. Il a peut-être expiré, ou l’entretien est terminé. Veuillez demander un nouveau lien.',
  errorOriginNotAllowed:
    'Cet entretien ne peut pas s’ouvrir sur ce site. Veuillez utiliser le lien que vous avez reçu.',
  errorMicrophoneDenied: 'Votre micro est bloqué : vous ne pouvez pas répondre à voix haute.',
  errorMicrophoneUnavailable: 'Aucun micro n’a été trouvé. Branchez-en un et réessayez.',
  errorMicrophoneUnsupported:
    'Ce navigateur ne peut pas enregistrer votre voix. Répondez par écrit, s’il vous plaît.',
  errorNetwork:
    'Impossible de joindre le service d’entretien. Vérifiez votre connexion internet et réessayez.',
  errorInterviewerUnavailable: 'Le recruteur n’a pas pu répondre pour le moment. Veuillez réessayer.',
  errorAnswerRejected:
    'Votre réponse n’a pas pu être acceptée. Elle est peut-être trop longue ; essayez plus court.',
  errorUnknown: 'Un imprévu est survenu. Veuillez réessayer.',
  errorReference: 'Référence pour l’assistance : {id}',
  retry: 'Réessayer',
};
