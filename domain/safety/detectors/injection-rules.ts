// Signals of prompt injection and jailbreak attempts, matched against normalised text (see
// normalized-text.ts). Each rule carries a weight: the probability-like strength of that signal alone.
// A text's score combines the rules it matches as independent evidence, 1 - Π(1 - weight), so one strong
// signal ("ignore all previous instructions") suffices while weak ones ("pretend to be", "you are now") only
// count together. The rules are written from published attack taxonomies (OWASP LLM01, the DAN family,
// indirect injection in documents and tool output); later revisions read the development sets' errors
// (test/fixtures/safety/README.md), never a held-out set before its single evaluation.

export interface InjectionRule {
  name: string;
  weight: number;
  pattern: RegExp;
}

const overrideVerb = String.raw`(?:ignore|disregard|forget|skip|override|overwrite|bypass|neglect|abandon|discard|set aside|do not follow|don't follow|stop following|no longer follow)`;
const qualifier = String.raw`(?:all|any|the|your|my|these|those|every|of|previous|previously|prior|above|earlier|preceding|initial|original|system|old|existing|current|given|other|safety|ethical|default|developer|programmed|built-in|openai's|openai)`;
const target = String.raw`(?:instructions?|prompts?|directives?|programming|guidelines|guidance|training|rules|constraints|restrictions|safeguards|filters?|polic(?:y|ies)|commands|orders)`;
const aiNoun = String.raw`(?:ai|a\.i\.|assistant|ai assistant|llm|language model|large language model|model|chatbot|bot|agent|gpt|chatgpt|claude|copilot)`;
const credentialNoun = String.raw`(?:conversation|chat history|system prompt|api keys?|passwords?|credentials|user data|previous messages|personal (?:data|information)|secrets?|access tokens?|session tokens?)`;

export const injectionRules: InjectionRule[] = [
  // "and" may join the qualifiers: "ignore any and all previous instructions".
  { name: 'instruction override', weight: 0.9, pattern: new RegExp(String.raw`\b${overrideVerb}\s+(?:(?:${qualifier}|and)[\s,]+){0,4}${target}\b`, 'g') },
  { name: 'instruction override', weight: 0.75, pattern: new RegExp(String.raw`\b${overrideVerb}\s+(?:everything|all|anything)\s+(?:above|before|prior|previously|you (?:were|have been) (?:told|given))`, 'g') },
  { name: 'instruction override', weight: 0.9, pattern: /\b(?:previous|prior|above|earlier|old|original) (?:instructions|rules|prompt) (?:are|were|is|have been) (?:void|cancel+ed|obsolete|revoked|replaced|no longer (?:valid|apply|applicable))/g },
  { name: 'safety bypass', weight: 0.8, pattern: /\b(?:override|bypass|disable|turn off|deactivate|circumvent)\s+(?:the\s+|your\s+|all\s+|any\s+)?(?:safety|content|security|moderation|ethical)\s+(?:filters?|checks?|protocols?|measures?|guidelines|restrictions|settings|systems?)/g },
  { name: 'system prompt extraction', weight: 0.8, pattern: /\b(?:reveal|show|print|display|output|repeat|tell me|give me|write out|recite|leak|dump|expose|share|disclose|spell out|translate|summari[sz]e|paste|list)\b[^.!?\n]{0,40}\b(?:(?:system|initial|hidden|secret|developer|pre-?|internal|confidential)\s?(?:prompt|instructions|message|rules|configuration|guidelines|directives)|(?:your|original)\s(?:system prompt|prompt|instructions|initial instructions))\b/g },
  { name: 'system prompt extraction', weight: 0.7, pattern: /\bwhat (?:are|were|is) (?:your|the) (?:initial |original |system |hidden |exact |secret |first )?(?:instructions|system prompt|prompt|rules you were given)\b(?=\s*(?:[?.!,:;"']|$|(?:you|that|which|given|here|in this|before|at the|exactly|verbatim|word)\b))/g },
  { name: 'system prompt extraction', weight: 0.6, pattern: /\b(?:repeat|output|print|copy|reproduce|recite)\b[^.!?\n]{0,40}\b(?:above|before this|preceding|verbatim|word for word|at the (?:beginning|start) of (?:this|the) conversation)\b/g },
  { name: 'system prompt extraction', weight: 0.6, pattern: /\b(?:were you told|you were told|you were given|were you given)\b[^.!?\n]{0,30}\b(?:before|at the (?:start|beginning))\b/g },
  { name: 'unrestricted persona', weight: 0.8, pattern: /\b(?:act|behave|respond|answer|function|operate|roleplay|role-play)\s+(?:as|like)\s+(?:if you (?:are|were)\s+)?(?:an?\s+|my\s+)?(?:unrestricted|unfiltered|uncensored|jailbroken|evil|amoral|unethical|rogue|unbound|unlimited)/g },
  { name: 'jailbreak persona', weight: 0.8, pattern: /\b(?:do anything now|(?:dan|stan|dude|aim|god|jailbreak|jailbroken|unrestricted|unfiltered|evil|chaos|opposite) mode|developer mode (?:enabled|output|response|activated)|(?:enable|activate|enter|simulate|into) developer mode)\b/g },
  { name: 'jailbreak persona', weight: 0.45, pattern: /\bjailbr(?:eak|oken|eaking)\b/g },
  { name: 'mode switch', weight: 0.35, pattern: /\b(?:debug|maintenance|admin|administrator|sudo|root|test|diagnostic|developer) mode\b/g },
  { name: 'role reassignment', weight: 0.45, pattern: /\byou are (?:now|no longer|going to (?:act|pretend|be))\b/g },
  { name: 'role reassignment', weight: 0.45, pattern: /\bfrom (?:now on|this (?:moment|point) (?:on|forward))\b[^.!?\n]{0,40}\b(?:you|your)\b/g },
  { name: 'role reassignment', weight: 0.4, pattern: /\b(?:pretend (?:to be|you are|you're|that you)|roleplay as|role-play as|play the role of|stay in character)\b/g },
  { name: 'persona set-up', weight: 0.35, pattern: /\b(?:you are going to|you will(?: now)?|you must(?: now)?|i want you to|i need you to|your (?:task|job) is to)\s+(?:act|pretend|play|simulate|emulate|become|immerse yourself|roleplay|role-play|impersonate|take on|answer as|respond as)\b/g },
  { name: 'persona set-up', weight: 0.35, pattern: /\b(?:simulate|emulate|imitate|become|take on the (?:role|persona) of|immerse yourself (?:into|in) the role of)\s+(?:a|an|the|my)?\s*(?:[\w-]+\s+){0,2}(?:chatbot|ai|a\.i\.|model|language model|assistant|terminal|computer|character|persona|entity|being|bot)\b/g },
  { name: 'amoral persona', weight: 0.45, pattern: /\b(?:amoral|unfiltered|uncensored|unrestricted|unethical|immoral|no (?:moral|ethical) (?:principles|code|compass|guidelines|boundaries|constraints|limits|standards))\b/g },
  { name: 'provider policy evasion', weight: 0.4, pattern: /\b(?:openai|chatgpt|anthropic)(?:'s|’s)?\s+(?:content\s+|usage\s+|ethical\s+)?(?:polic(?:y|ies)|guidelines|rules|restrictions|filters|limitations|settings)\b/g },
  { name: 'system prompt extraction', weight: 0.45, pattern: /\b(?:starting|initial|initialization|original|hidden|secret|system)\s+(?:instructions|string|prompt|directives)\b/g },
  { name: 'restriction removal', weight: 0.45, pattern: /\bwithout (?:any )?(?:restrictions|limitations|limits|filters|filtering|censorship|rules|ethical|moral|safety|boundaries|guidelines)\b/g },
  { name: 'restriction removal', weight: 0.45, pattern: /\b(?:free (?:of|from)|not bound by|unbound by|freed from|break free (?:of|from)|no longer (?:bound|restricted) by|don't have to (?:follow|abide by)|do not have to (?:follow|abide by))\s+(?:any\s+|the\s+|their\s+)?(?:typical\s+)?(?:[\w'’]+\s+)?(?:ethical\s+|moral\s+|content\s+|safety\s+|openai\s+|ai\s+)?(?:guidelines|settings|constraints|restrictions|rules|polic(?:y|ies)|limitations|filters|boundaries|confines)\b/g },
  { name: 'refusal suppression', weight: 0.45, pattern: /\b(?:never|don't|do not|cannot|can't|won't|will not|must not) (?:ever )?(?:refuse|decline|say no|apologi[sz]e|add (?:any )?(?:warnings|disclaimers))\b/g },
  { name: 'refusal suppression', weight: 0.35, pattern: /\b(?:no|without (?:any )?)(?:warnings|disclaimers|moralizing|moralising)\b/g },
  { name: 'chat template markup', weight: 0.9, pattern: /<\|(?:im_start|im_end|system|user|assistant|endoftext|begin_of_text|start_header_id)\|>/g },
  { name: 'chat template markup', weight: 0.8, pattern: /\[\/?inst\]|<<\/?sys>>/g },
  { name: 'chat template markup', weight: 0.5, pattern: /(?:^|\n)\s?(?:#{1,4}\s?)?(?:system|assistant)(?: prompt| message| instructions?)?\s?:/g },
  { name: 'chat template markup', weight: 0.6, pattern: /<\/?(?:system|instructions?|admin|system_prompt|sys)>/g },
  { name: 'injected instructions', weight: 0.6, pattern: /\b(?:new|updated|real|actual|additional|hidden|secret|revised|true) (?:instructions?|directives?|system prompt|orders)\s?[:!-]/g },
  { name: 'injected instructions', weight: 0.35, pattern: /\b(?:new|updated|real|actual|hidden|secret|revised|true) task\s?[:!-]/g },
  { name: 'injected instructions', weight: 0.4, pattern: /\bend of (?:the )?(?:system )?(?:prompt|instructions|document|context|user input)\b/g },
  { name: 'instructions aimed at an AI', weight: 0.8, pattern: new RegExp(String.raw`\b(?:note|message|instructions?|attention|notice|reminder|important|directive)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+)?${aiNoun}s?\b`, 'g') },
  { name: 'instructions aimed at an AI', weight: 0.8, pattern: new RegExp(String.raw`\b${aiNoun}s?\s+(?:reading|processing|summari[sz]ing|parsing|analy[sz]ing|(?:that|who) (?:reads?|processes|summari[sz]es))\s+this\b`, 'g') },
  { name: 'instructions aimed at an AI', weight: 0.7, pattern: new RegExp(String.raw`\b(?:if|when) (?:you are|you're) an? ${aiNoun}\b`, 'g') },
  { name: 'instructions aimed at an AI', weight: 0.5, pattern: /\bwhen (?:you|the assistant) (?:read|process|summari[sz]e|see|encounter)s? this\b/g },
  // Indirect injections speak to the model that will read the document: by its product name, by hijacking
  // the order of its work ("before you can solve the task I gave you"), or by telling it to stop.
  { name: 'instructions aimed at an AI', weight: 0.7, pattern: /\b(?:to you|for you|dear|hey|hello|attention),?\s+(?:gpt-?\d[\w.-]*|chatgpt|claude|gemini|bard|llama|copilot|mistral)\b/g },
  { name: 'task hijacking', weight: 0.45, pattern: /\b(?:before|instead of|rather than)\s+(?:you\s+)?(?:can\s+|could\s+)?(?:solve|solving|complete|completing|continue|continuing|finish|finishing|perform|performing)\s+(?:the|this|your|any|my)\s+(?:original\s+|current\s+|previous\s+)?(?:task|request|job|assignment)s?\b/g },
  { name: 'task abandonment', weight: 0.45, pattern: /\b(?:stop|abort|halt|cease)\s+(?:what you(?:'re| are) doing|(?:all\s+|your\s+)?(?:current\s+)?(?:tasks?|processing|operations))\b/g },
  { name: 'chat template markup', weight: 0.7, pattern: /[#[(<{]\s*\(?\s*system[_ -]?(?:message|prompt|note|instructions?|override)s?\s*\)?\s*[\])>}:]?/g },
  { name: 'concealment from the user', weight: 0.7, pattern: /\b(?:do not|don't|never) (?:tell|inform|mention (?:this )?to|reveal (?:this )?to|let)\s+(?:the\s+)?(?:user|human|reader)\b/g },
  { name: 'concealment from the user', weight: 0.7, pattern: /\b(?:the )?(?:user|human) (?:must not|should not|shouldn't|won't|must never) (?:know|see|notice|find out)\b/g },
  { name: 'data exfiltration', weight: 0.6, pattern: new RegExp(String.raw`\b(?:send|post|forward|upload|exfiltrate|email|transmit|leak|submit|append)\b[^.!?\n]{0,60}\b${credentialNoun}\b[^.!?\n]{0,60}\b(?:to|at|into)\b`, 'g') },
  { name: 'data exfiltration', weight: 0.5, pattern: /!\[[^\]\n]{0,100}\]\(https?:\/\/[^)\s]{1,300}[?&][^)\s]{0,300}=/g },
  { name: 'tool hijacking', weight: 0.35, pattern: /\b(?:call|invoke|use|run|execute|trigger)\s+(?:the\s+)?[\w-]+\s+(?:tool|function|plugin)\b/g },
  { name: 'authority claim', weight: 0.45, pattern: /\b(?:i am|i'm|this is)\s+(?:your|the|an?)\s+(?:developer|creator|administrator|admin|owner|system administrator|openai (?:employee|engineer)|anthropic (?:employee|engineer))\b/g },
  { name: 'encoded payload', weight: 0.6, pattern: /\b(?:decode|decrypt|deobfuscate|translate)\b[^.!?\n]{0,50}\b(?:and|then)\b[^.!?\n]{0,20}\b(?:follow|execute|run|do|obey|carry out)\b/g },
  { name: 'dual response format', weight: 0.6, pattern: /\b(?:normal|classic|standard|gpt)\s*(?:response|output|answer)\b[^\n]{0,120}\b(?:jailbreak|dan|developer mode|unfiltered|unrestricted)\b/g },
];
