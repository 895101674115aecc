/**
 * The English strings, and the table every other language fills in key for key. `{name}` placeholders are
 * replaced when a string is shown; a key ending in `One` or `Other` is a plural form chosen by
 * `Intl.PluralRules`.
 */
export const en = {
  regionLabel: 'Interview',
  regionLabelJob: 'Interview: {job}',
  loading: 'Loading your interview…',
  starting: 'Starting your interview…',
  companyLogo: '{company} logo',

  preCheckHeading: 'Before you begin',
  summary: '{interviewer}, an AI interviewer, will ask you {questions}. The interview takes up to {minutes}.',
  questionsOne: '{count} question',
  questionsOther: '{count} questions',
  minutesOne: '{count} minute',
  minutesOther: '{count} minutes',
  resumeNote: 'Your interview has already started. You can continue where you left off.',

  microphoneHeading: 'Your microphone',
  microphoneRequesting: 'Asking for access to your microphone… If your browser asks, choose Allow.',
  microphoneReady: 'Your microphone is working. Say a few words and watch the level move.',
  microphoneDeniedTitle: 'Microphone access is blocked',
  microphoneDeniedHelp:
    'To answer by voice, allow this page to use your microphone: select the icon beside the web address (a padlock or a camera), set Microphone to Allow, then choose Try again. If nothing changes, reload the page.',
  microphoneUnavailable: 'No microphone was found. Connect one, then choose Try again.',
  microphoneUnsupported:
    'Voice answers do not work on this page or in this browser, so you will answer by typing.',
  microphoneRetry: 'Try again',
  deviceLabel: 'Microphone',
  deviceUnnamed: 'Microphone {count}',
  levelLabel: 'Microphone level',
  answerByText: 'Answer by text instead',
  answerByVoice: 'Answer by voice instead',
  textOnlyNote: 'You will answer by typing, so you do not need a microphone.',

  consentHeading: 'Recording notice',
  consentAccept: 'I have read this notice and agree to continue.',
  consentRequired: 'Please accept the recording notice to start.',
  microphoneRequired: 'Please allow your microphone, or choose to answer by text.',
  microphoneRequiredNoText: 'Please allow your microphone to start.',
  start: 'Start the interview',
  resume: 'Continue the interview',

  liveHeading: 'Interview in progress',
  progress: 'Question {current} of {total}',
  timeLeft: 'Time left',
  interviewerSpeaking: '{interviewer} is speaking',
  interviewerThinking: '{interviewer} is preparing the next question…',
  yourTurnText: 'Your turn: type your answer.',
  yourTurnVoice: 'Your turn: answer out loud when you are ready.',
  listening: 'Listening…',
  muted: 'Your microphone is muted.',
  captionsLabel: 'Captions',
  captionsEmpty: 'What you and {interviewer} say will appear here.',
  you: 'You',
  mute: 'Mute microphone',
  end: 'End interview',
  endConfirmHeading: 'End the interview now?',
  endConfirmText: 'Your answers so far are kept, but you will not be able to come back to this interview.',
  endConfirm: 'Yes, end it',
  endCancel: 'Keep going',
  answerLabel: 'Your answer',
  answerPlaceholder: 'Type your answer here…',
  answerHint: 'Press Enter to send, or Shift+Enter for a new line.',
  answerWait: 'You can send your answer once {interviewer} has finished.',
  send: 'Send',
  sending: 'Sending…',

  reconnecting: 'Connection lost. Reconnecting…',
  reconnectingDetail: 'Nothing you have said is lost.',

  completedHeading: 'Thank you!',
  completedText: 'Your interview is complete. {company} will review it and be in touch about the next steps.',
  completedTimeLimit: 'The time for this interview is up.',
  completedYouEnded: 'You ended the interview.',

  errorHeading: 'Something went wrong',
  errorSessionInvalid:
    'This interview link is no longer valid. It may have expired, or the interview may be over. Please ask for a new link.',
  errorOriginNotAllowed:
    'This interview cannot be opened on this website. Please use the link you were sent.',
  errorMicrophoneDenied: 'Your microphone is blocked, so you cannot answer by voice.',
  errorMicrophoneUnavailable: 'No microphone was found. Connect one and try again.',
  errorMicrophoneUnsupported: 'Your voice cannot be recorded in this browser. Please answer by typing.',
  errorNetwork:
    'We could not reach the interview service. Please check your internet connection and try again.',
  errorInterviewerUnavailable: 'The interviewer could not reply just now. Please try again.',
  errorAnswerRejected: 'Your answer could not be accepted. It may be too long; please try a shorter one.',
  errorUnknown: 'Something unexpected happened. Please try again.',
  errorReference: 'Reference for support: {id}',
  retry: 'Try again',
};

export type InterviewStringKey = keyof typeof en;

/** A complete table of strings for one language. */
export type InterviewStrings = Record<InterviewStringKey, string>;
