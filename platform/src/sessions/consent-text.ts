/**
 * The recording notice a candidate accepts before starting, in the interview's language: the widget shows it
 * as it is, so it must be in the language the interview is held in. Languages without a translation here get
 * English.
 */
const notices: Record<string, string> = {
  en:
    'This interview is conducted by an AI interviewer. Your voice and answers are recorded and transcribed, ' +
    'and shared with the hiring company to assess your application.',
  es:
    'Esta entrevista la realiza un entrevistador de IA. Su voz y sus respuestas se graban y se transcriben, ' +
    'y se comparten con la empresa que contrata para evaluar su candidatura.',
  fr:
    'Cet entretien est mené par un recruteur IA. Votre voix et vos réponses sont enregistrées et transcrites, ' +
    'et transmises à l’entreprise qui recrute pour évaluer votre candidature.',
  de:
    'Dieses Interview führt ein KI-Interviewer. Ihre Stimme und Ihre Antworten werden aufgezeichnet, ' +
    'transkribiert und an das einstellende Unternehmen weitergegeben, um Ihre Bewerbung zu beurteilen.',
  pt:
    'Esta entrevista é conduzida por um entrevistador de IA. Sua voz e suas respostas são gravadas e ' +
    'transcritas, e compartilhadas com a empresa contratante para avaliar sua candidatura.',
};

/** The notice for a BCP 47 language tag (`pt-BR` reads as `pt`). */
export function consentText(language: string): string {
  const primary = language.toLowerCase().split('-')[0] ?? 'en';
  return notices[primary] ?? notices.en!;
}
