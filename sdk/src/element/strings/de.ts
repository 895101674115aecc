import type { InterviewStrings } from './en.ts';

export const de: InterviewStrings = {
  regionLabel: 'Interview',
  regionLabelJob: 'Interview: {job}',
  loading: 'Ihr Interview wird geladen …',
  starting: 'Ihr Interview wird gestartet …',
  companyLogo: 'Logo von {company}',

  preCheckHeading: 'Bevor Sie beginnen',
  summary:
    '{interviewer}, ein KI-Interviewer, stellt Ihnen {questions}. Das Interview dauert höchstens {minutes}.',
  questionsOne: '{count} Frage',
  questionsOther: '{count} Fragen',
  minutesOne: '{count} Minute',
  minutesOther: '{count} Minuten',
  resumeNote: 'Ihr Interview hat bereits begonnen. Sie können dort weitermachen, wo Sie aufgehört haben.',

  microphoneHeading: 'Ihr Mikrofon',
  microphoneRequesting:
    'Zugriff auf Ihr Mikrofon wird angefragt … Wenn Ihr Browser fragt, wählen Sie „Zulassen“.',
  microphoneReady: 'Ihr Mikrofon funktioniert. Sagen Sie ein paar Worte und beobachten Sie den Pegel.',
  microphoneDeniedTitle: 'Der Zugriff auf das Mikrofon ist blockiert',
  microphoneDeniedHelp:
    'Um mündlich zu antworten, erlauben Sie dieser Seite den Zugriff auf Ihr Mikrofon: Wählen Sie das Symbol neben der Webadresse (ein Schloss oder eine Kamera), stellen Sie „Mikrofon“ auf „Zulassen“ und wählen Sie dann „Erneut versuchen“. Wenn sich nichts ändert, laden Sie die Seite neu.',
  microphoneUnavailable:
    'Es wurde kein Mikrofon gefunden. Schließen Sie eines an und wählen Sie „Erneut versuchen“.',
  microphoneUnsupported:
    'Mündliche Antworten funktionieren auf dieser Seite oder in diesem Browser nicht, daher antworten Sie schriftlich.',
  microphoneRetry: 'Erneut versuchen',
  deviceLabel: 'Mikrofon',
  deviceUnnamed: 'Mikrofon {count}',
  levelLabel: 'Mikrofonpegel',
  answerByText: 'Stattdessen schriftlich antworten',
  answerByVoice: 'Stattdessen mündlich antworten',
  textOnlyNote: 'Sie antworten schriftlich und benötigen daher kein Mikrofon.',

  consentHeading: 'Hinweis zur Aufzeichnung',
  consentAccept: 'Ich habe diesen Hinweis gelesen und bin einverstanden.',
  consentRequired: 'Bitte bestätigen Sie den Hinweis zur Aufzeichnung, um zu beginnen.',
  microphoneRequired: 'Bitte erlauben Sie den Zugriff auf Ihr Mikrofon oder antworten Sie schriftlich.',
  microphoneRequiredNoText: 'Bitte erlauben Sie den Zugriff auf Ihr Mikrofon, um zu beginnen.',
  start: 'Interview starten',
  resume: 'Interview fortsetzen',

  liveHeading: 'Interview läuft',
  progress: 'Frage {current} von {total}',
  timeLeft: 'Verbleibende Zeit',
  interviewerSpeaking: '{interviewer} spricht',
  interviewerThinking: '{interviewer} bereitet die nächste Frage vor …',
  yourTurnText: 'Sie sind dran: Bitte schreiben Sie Ihre Antwort.',
  yourTurnVoice: 'Sie sind dran: Antworten Sie laut, sobald Sie bereit sind.',
  listening: 'Hört zu …',
  muted: 'Ihr Mikrofon ist stummgeschaltet.',
  captionsLabel: 'Untertitel',
  captionsEmpty: 'Was Sie und {interviewer} sagen, erscheint hier.',
  you: 'Sie',
  mute: 'Mikrofon stummschalten',
  end: 'Interview beenden',
  endConfirmHeading: 'Interview jetzt beenden?',
  endConfirmText:
    'Ihre bisherigen Antworten bleiben erhalten, aber Sie können nicht zu diesem Interview zurückkehren.',
  endConfirm: 'Ja, beenden',
  endCancel: 'Weitermachen',
  answerLabel: 'Ihre Antwort',
  answerPlaceholder: 'Schreiben Sie hier Ihre Antwort …',
  answerHint: 'Mit der Eingabetaste senden, mit Umschalt+Eingabe eine neue Zeile beginnen.',
  answerWait: 'Sie können Ihre Antwort senden, sobald {interviewer} fertig ist.',
  send: 'Senden',
  sending: 'Wird gesendet …',

  reconnecting: 'Verbindung unterbrochen. Verbindung wird wiederhergestellt …',
  reconnectingDetail: 'Nichts von dem, was Sie gesagt haben, geht verloren.',

  completedHeading: 'Vielen Dank!',
  completedText:
    'Ihr Interview ist abgeschlossen. {company} wird es prüfen und sich wegen der nächsten Schritte bei Ihnen melden.',
  completedTimeLimit: 'Die Zeit für dieses Interview ist abgelaufen.',
  completedYouEnded: 'Sie haben das Interview beendet.',

  errorHeading: 'Etwas ist schiefgelaufen',
  errorSessionInvalid:
    'Dieser Interview-Link ist nicht mehr gültig. Er ist vielleicht abgelaufen, oder das Interview ist bereits beendet. Bitte fordern Sie einen neuen Link an.',
  errorOriginNotAllowed:
    'Dieses Interview kann auf dieser Website nicht geöffnet werden. Bitte verwenden Sie den Link, den Sie erhalten haben.',
  errorMicrophoneDenied: 'Ihr Mikrofon ist blockiert, daher können Sie nicht mündlich antworten.',
  errorMicrophoneUnavailable:
    'Es wurde kein Mikrofon gefunden. Schließen Sie eines an und versuchen Sie es erneut.',
  errorMicrophoneUnsupported:
    'Dieser Browser kann Ihre Stimme nicht aufnehmen. Bitte antworten Sie schriftlich.',
  errorNetwork:
    'Der Interview-Dienst ist nicht erreichbar. Bitte prüfen Sie Ihre Internetverbindung und versuchen Sie es erneut.',
  errorInterviewerUnavailable:
    'Der Interviewer konnte gerade nicht antworten. Bitte versuchen Sie es erneut.',
  errorAnswerRejected:
    'Ihre Antwort konnte nicht angenommen werden. Vielleicht ist sie zu lang; bitte versuchen Sie es kürzer.',
  errorUnknown: 'Etwas Unerwartetes ist passiert. Bitte versuchen Sie es erneut.',
  errorReference: 'Referenz für den Support: {id}',
  retry: 'Erneut versuchen',
};
