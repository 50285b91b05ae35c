// natural ships its Porter stemmers as plain modules; importing them one by one keeps the other languages unloaded.
declare module 'natural/lib/natural/stemmers/porter_stemmer.js' {
  const stemmer: { stem(word: string): string };
  export default stemmer;
}
declare module 'natural/lib/natural/stemmers/porter_stemmer_es.js' {
  const stemmer: { stem(word: string): string };
  export default stemmer;
}
