import type { InterviewStrings } from './en.ts';

export const es: InterviewStrings = {
  regionLabel: 'Entrevista',
  regionLabelJob: 'Entrevista: {job}',
  loading: 'Cargando su entrevista…',
  starting: 'Iniciando su entrevista…',
  companyLogo: 'Logotipo de {company}',

  preCheckHeading: 'Antes de empezar',
  summary:
    '{interviewer}, un entrevistador con IA, le hará {questions}. La entrevista dura como máximo {minutes}.',
  questionsOne: '{count} pregunta',
  questionsOther: '{count} preguntas',
  minutesOne: '{count} minuto',
  minutesOther: '{count} minutos',
  resumeNote: 'Su entrevista ya ha comenzado. Puede continuar donde la dejó.',

  microphoneHeading: 'Su micrófono',
  microphoneRequesting: 'Solicitando acceso a su micrófono… Si el navegador se lo pregunta, elija Permitir.',
  microphoneReady: 'Su micrófono funciona. Diga unas palabras y observe cómo se mueve el nivel.',
  microphoneDeniedTitle: 'El acceso al micrófono está bloqueado',
  microphoneDeniedHelp:
    'Para responder de viva voz, permita que esta página use su micrófono: seleccione el icono junto a la dirección web (un candado o una cámara), cambie Micrófono a Permitir y elija Reintentar. Si no cambia nada, vuelva a cargar la página.',
  microphoneUnavailable: 'No se ha encontrado ningún micrófono. Conecte uno y elija Reintentar.',
  microphoneUnsupported:
    'Las respuestas por voz no funcionan en esta página o en este navegador, así que responderá por escrito.',
  microphoneRetry: 'Reintentar',
  deviceLabel: 'Micrófono',
  deviceUnnamed: 'Micrófono {count}',
  levelLabel: 'Nivel del micrófono',
  answerByText: 'Prefiero responder por escrito',
  answerByVoice: 'Prefiero responder de viva voz',
  textOnlyNote: 'Responderá por escrito, así que no necesita micrófono.',

  consentHeading: 'Aviso de grabación',
  consentAccept: 'He leído este aviso y acepto continuar.',
  consentRequired: 'Acepte el aviso de grabación para empezar.',
  microphoneRequired: 'Permita el acceso a su micrófono o elija responder por escrito.',
  microphoneRequiredNoText: 'Permita el acceso a su micrófono para empezar.',
  start: 'Empezar la entrevista',
  resume: 'Continuar la entrevista',

  liveHeading: 'Entrevista en curso',
  progress: 'Pregunta {current} de {total}',
  timeLeft: 'Tiempo restante',
  interviewerSpeaking: '{interviewer} está hablando',
  interviewerThinking: '{interviewer} está preparando la siguiente pregunta…',
  yourTurnText: 'Es su turno: escriba su respuesta.',
  yourTurnVoice: 'Es su turno: responda en voz alta cuando esté listo.',
  listening: 'Escuchando…',
  muted: 'Su micrófono está silenciado.',
  captionsLabel: 'Subtítulos',
  captionsEmpty: 'Aquí aparecerá lo que digan usted y {interviewer}.',
  you: 'Usted',
  mute: 'Silenciar el micrófono',
  end: 'Terminar la entrevista',
  endConfirmHeading: '¿Desea terminar la entrevista ahora?',
  endConfirmText: 'Sus respuestas hasta ahora se conservan, pero no podrá volver a esta entrevista.',
  endConfirm: 'Sí, terminar',
  endCancel: 'Seguir con la entrevista',
  answerLabel: 'Su respuesta',
  answerPlaceholder: 'Escriba aquí su respuesta…',
  answerHint: 'Pulse Intro para enviar, o Mayús+Intro para una nueva línea.',
  answerWait: 'Podrá enviar su respuesta cuando {interviewer} haya terminado.',
  send: 'Enviar',
  sending: 'Enviando…',

  reconnecting: 'Se ha perdido la conexión. Reconectando…',
  reconnectingDetail: 'No se ha perdido nada de lo que ha dicho.',

  completedHeading: '¡Muchas gracias!',
  completedText:
    'Su entrevista ha finalizado. {company} la revisará y se pondrá en contacto con usted para los próximos pasos.',
  completedTimeLimit: 'Se ha agotado el tiempo de esta entrevista.',
  completedYouEnded: 'Ha terminado la entrevista.',

  errorHeading: 'Algo ha salido mal',
  errorSessionInvalid:
    'Este enlace de entrevista ya no es válido. Puede haber caducado o la entrevista puede haber terminado. Solicite un enlace nuevo.',
  errorOriginNotAllowed:
    'Esta entrevista no se puede abrir en este sitio web. Utilice el enlace que recibió.',
  errorMicrophoneDenied: 'Su micrófono está bloqueado, por lo que no puede responder de viva voz.',
  errorMicrophoneUnavailable: 'No se ha encontrado ningún micrófono. Conecte uno e inténtelo de nuevo.',
  errorMicrophoneUnsupported: 'Este navegador no puede grabar su voz. Responda por escrito, por favor.',
  errorNetwork:
    'No hemos podido conectar con el servicio de entrevistas. Compruebe su conexión a internet e inténtelo de nuevo.',
  errorInterviewerUnavailable: 'El entrevistador no ha podido responder en este momento. Inténtelo de nuevo.',
  errorAnswerRejected:
    'No se ha podido aceptar su respuesta. Puede que sea demasiado larga; pruebe con una más breve.',
  errorUnknown: 'Ha ocurrido algo inesperado. Inténtelo de nuevo.',
  errorReference: 'Referencia para el soporte: {id}',
  retry: 'Reintentar',
};
