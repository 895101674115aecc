import type { InterviewStrings } from './en.ts';

export const pt: InterviewStrings = {
  regionLabel: 'Entrevista',
  regionLabelJob: 'Entrevista: {job}',
  loading: 'Carregando a sua entrevista…',
  starting: 'Iniciando a sua entrevista…',
  companyLogo: 'Logotipo de {company}',

  preCheckHeading: 'Antes de começar',
  summary:
    '{interviewer}, um entrevistador com IA, vai fazer {questions} para você. A entrevista dura no máximo {minutes}.',
  questionsOne: '{count} pergunta',
  questionsOther: '{count} perguntas',
  minutesOne: '{count} minuto',
  minutesOther: '{count} minutos',
  resumeNote: 'A sua entrevista já começou. Você pode continuar de onde parou.',

  microphoneHeading: 'Seu microfone',
  microphoneRequesting: 'Pedindo acesso ao seu microfone… Se o navegador perguntar, escolha Permitir.',
  microphoneReady: 'Seu microfone está funcionando. Diga algumas palavras e veja o nível se mover.',
  microphoneDeniedTitle: 'O acesso ao microfone está bloqueado',
  microphoneDeniedHelp:
    'Para responder por voz, permita que esta página use o seu microfone: selecione o ícone ao lado do endereço do site (um cadeado ou uma câmera), mude Microfone para Permitir e escolha Tentar novamente. Se nada mudar, recarregue a página.',
  microphoneUnavailable: 'Nenhum microfone foi encontrado. Conecte um e escolha Tentar novamente.',
  microphoneUnsupported:
    'As respostas por voz não funcionam nesta página ou neste navegador, por isso você responderá por escrito.',
  microphoneRetry: 'Tentar novamente',
  deviceLabel: 'Microfone',
  deviceUnnamed: 'Microfone {count}',
  levelLabel: 'Nível do microfone',
  answerByText: 'Prefiro responder por escrito',
  answerByVoice: 'Prefiro responder por voz',
  textOnlyNote: 'Você vai responder por escrito, então não precisa de microfone.',

  consentHeading: 'Aviso de gravação',
  consentAccept: 'Li este aviso e concordo em continuar.',
  consentRequired: 'Aceite o aviso de gravação para começar.',
  microphoneRequired: 'Permita o acesso ao seu microfone ou escolha responder por escrito.',
  microphoneRequiredNoText: 'Permita o acesso ao seu microfone para começar.',
  start: 'Começar a entrevista',
  resume: 'Continuar a entrevista',

  liveHeading: 'Entrevista em andamento',
  progress: 'Pergunta {current} de {total}',
  timeLeft: 'Tempo restante',
  interviewerSpeaking: '{interviewer} está falando',
  interviewerThinking: '{interviewer} está preparando a próxima pergunta…',
  yourTurnText: 'Sua vez: escreva a sua resposta.',
  yourTurnVoice: 'Sua vez: responda em voz alta quando estiver pronto.',
  listening: 'Ouvindo…',
  muted: 'Seu microfone está desativado.',
  captionsLabel: 'Legendas',
  captionsEmpty: 'O que você e {interviewer} disserem vai aparecer aqui.',
  you: 'Você',
  mute: 'Desativar o microfone',
  end: 'Encerrar a entrevista',
  endConfirmHeading: 'Encerrar a entrevista agora?',
  endConfirmText: 'As suas respostas até aqui ficam guardadas, mas você não poderá voltar a esta entrevista.',
  endConfirm: 'Sim, encerrar',
  endCancel: 'Continuar a entrevista',
  answerLabel: 'Sua resposta',
  answerPlaceholder: 'Escreva a sua resposta aqui…',
  answerHint: 'Pressione Enter para enviar, ou Shift+Enter para uma nova linha.',
  answerWait: 'Você poderá enviar a sua resposta quando {interviewer} terminar.',
  send: 'Enviar',
  sending: 'Enviando…',

  reconnecting: 'Conexão perdida. Reconectando…',
  reconnectingDetail: 'Nada do que você disse foi perdido.',

  completedHeading: 'Muito obrigado!',
  completedText:
    'A sua entrevista foi concluída. {company} vai analisá-la e entrará em contato sobre os próximos passos.',
  completedTimeLimit: 'O tempo desta entrevista terminou.',
  completedYouEnded: 'Você encerrou a entrevista.',

  errorHeading: 'Algo deu errado',
  errorSessionInvalid:
    'Este link de entrevista não é mais válido. Ele pode ter expirado ou a entrevista pode ter terminado. Peça um novo link.',
  errorOriginNotAllowed: 'Esta entrevista não pode ser aberta neste site. Use o link que você recebeu.',
  errorMicrophoneDenied: 'Seu microfone está bloqueado, então não é possível responder por voz.',
  errorMicrophoneUnavailable: 'Nenhum microfone foi encontrado. Conecte um e tente novamente.',
  errorMicrophoneUnsupported: 'Este navegador não consegue gravar sua voz. Responda por escrito, por favor.',
  errorNetwork:
    'Não conseguimos acessar o serviço de entrevistas. Verifique a sua conexão com a internet e tente novamente.',
  errorInterviewerUnavailable: 'O entrevistador não conseguiu responder agora. Tente novamente.',
  errorAnswerRejected:
    'Não foi possível aceitar a sua resposta. Ela pode estar longa demais; tente uma mais curta.',
  errorUnknown: 'Algo inesperado aconteceu. Tente novamente.',
  errorReference: 'Referência para o suporte: {id}',
  retry: 'Tentar novamente',
};
