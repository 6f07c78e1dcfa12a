// sources-sha256: 6f651482ac135388e6585471503c9c935d79f07b2a811f3571fe98307e3c5674
// The OttoEngine farm panel, built from frontend/ by scripts/build-panel: do not edit.
var S2=Object.defineProperty;var c2=Object.getOwnPropertyDescriptor;var o=(M,H,C,V)=>{for(var L=V>1?void 0:V?c2(H,C):H,r=M.length-1,e;r>=0;r--)(e=M[r])&&(L=(V?e(H,C,L):e(L))||L);return V&&L&&S2(H,C,L),L};var p={title:"Print farm",loading:"Loading the farm…",close:"Close",not_loaded:"The OttoEngine farm is not loaded: set up or enable its hub to see printers, OttoEjects and racks here.",connection:{lost:"Connection lost, reconnecting…"},error:{action_failed:"That did not work: {message}",subscribe_failed:"The farm cannot be shown: {message}"},section:{printers:"Printers",ottoejects:"OttoEjects",racks:"Racks",queue:"Queue"},empty:{printers:"No printers yet: add them to the OttoEngine hub."},figures:{jobs_today:"Jobs today",success_rate:"Success rate",print_hours_today:"Print hours today",print_hours_total:"Print hours in total",queued:"Queued",active:"Active"},processing:{running:"Processing on",paused:"Processing paused",pause:"Pause processing",resume:"Resume processing"},format:{minutes:"{minutes} min",hours_minutes:"{hours} h {minutes} min"},printer:{no_job:"No print",remaining:"{time} left",ends_at:"Ends at {time}",nozzle:"Nozzle",bed:"Bed",chamber:"Chamber",plate:"Build plate",plate_present:"On the bed",plate_absent:"None",plate_unknown:"Unknown",attention:"Needs attention"},printer_status:{IDLE:"Idle",PREPARING:"Preparing",RUNNING:"Printing",PAUSED:"Paused",FINISH:"Finished",FAILED:"Failed",OFFLINE:"Offline"},phase:{starting:"Starting",confirming:"Confirming the start",printing:"Printing",waiting_for_ejector:"Waiting for the OttoEject",ejecting:"Ejecting",paused:"Paused",done:"Done"},action:{plate_cleared:"Plate cleared",resume_workflow_retry:"Retry",resume_workflow_done:"Done by hand",resume_workflow_abort:"Abort",pause_processing:"Pause processing",resume_processing:"Resume processing"},ottoeject:{kind:"OttoEject",macro:"Running macro",no_macro:"None",waiting:"Waiting requests: {count}"},ottoeject_status:{ONLINE:"Ready",EJECTING:"Ejecting",ISSUE:"Issue",OFFLINE:"Offline"},rack:{title:"Rack {name}",summary:"{used} of {total} shelves in use · {spacing} mm apart"},shelf_state:{empty:"No plate",empty_plate:"Empty plate",completed_print:"Print"},shelf:{reserved_store:"Reserved: store",reserved_grab:"Reserved: grab"},job_status:{NEW:"New",QUEUED:"Queued",PRINTING:"Printing",PAUSED:"Paused",EJECTING:"Ejecting",STORING:"Storing",COMPLETED:"Completed",FAILED:"Failed",CANCELLED:"Cancelled"},queue:{empty:"The queue is empty.",priority:"Priority",move_up:"Move up",move_down:"Move down",retry:"Print again",cancel:"Cancel the job"},upload:{choose:"Upload a print file",hint:"G-code or Bambu 3MF; you confirm before it is queued.",progress:"Uploading… {percent} %",abort:"Stop the upload",failed:"The upload failed: {message}",time:"Print time",layers:"Layers",filament:"Filament",size:"Size",copies:"Copies",priority:"Priority",discard:"Discard",confirm:"Add to the queue ({copies}×)"}};var H1=globalThis,V1=H1.ShadowRoot&&(H1.ShadyCSS===void 0||H1.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,p1=Symbol(),y1=new WeakMap,U=class{constructor(H,C,V){if(this._$cssResult$=!0,V!==p1)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=H,this.t=C}get styleSheet(){let H=this.o,C=this.t;if(V1&&H===void 0){let V=C!==void 0&&C.length===1;V&&(H=y1.get(C)),H===void 0&&((this.o=H=new CSSStyleSheet).replaceSync(this.cssText),V&&y1.set(C,H))}return H}toString(){return this.cssText}},B1=M=>new U(typeof M=="string"?M:M+"",void 0,p1),Z=(M,...H)=>{let C=M.length===1?M[0]:H.reduce((V,L,r)=>V+(e=>{if(e._$cssResult$===!0)return e.cssText;if(typeof e=="number")return e;throw Error("Value passed to 'css' function must be a 'css' function result: "+e+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(L)+M[r+1],M[0]);return new U(C,M,p1)},w1=(M,H)=>{if(V1)M.adoptedStyleSheets=H.map(C=>C instanceof CSSStyleSheet?C:C.styleSheet);else for(let C of H){let V=document.createElement("style"),L=H1.litNonce;L!==void 0&&V.setAttribute("nonce",L),V.textContent=C.cssText,M.appendChild(V)}},m1=V1?M=>M:M=>M instanceof CSSStyleSheet?(H=>{let C="";for(let V of H.cssRules)C+=V.cssText;return B1(C)})(M):M;var{is:O2,defineProperty:g2,getOwnPropertyDescriptor:f2,getOwnPropertyNames:k2,getOwnPropertySymbols:b2,getPrototypeOf:y2}=Object,L1=globalThis,P1=L1.trustedTypes,B2=P1?P1.emptyScript:"",w2=L1.reactiveElementPolyfillSupport,G=(M,H)=>M,Q={toAttribute(M,H){switch(H){case Boolean:M=M?B2:null;break;case Object:case Array:M=M==null?M:JSON.stringify(M)}return M},fromAttribute(M,H){let C=M;switch(H){case Boolean:C=M!==null;break;case Number:C=M===null?null:Number(M);break;case Object:case Array:try{C=JSON.parse(M)}catch{C=null}}return C}},M1=(M,H)=>!O2(M,H),T1={attribute:!0,type:String,converter:Q,reflect:!1,useDefault:!1,hasChanged:M1};Symbol.metadata??=Symbol("metadata"),L1.litPropertyMetadata??=new WeakMap;var k=class extends HTMLElement{static addInitializer(H){this._$Ei(),(this.l??=[]).push(H)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(H,C=T1){if(C.state&&(C.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(H)&&((C=Object.create(C)).wrapped=!0),this.elementProperties.set(H,C),!C.noAccessor){let V=Symbol(),L=this.getPropertyDescriptor(H,V,C);L!==void 0&&g2(this.prototype,H,L)}}static getPropertyDescriptor(H,C,V){let{get:L,set:r}=f2(this.prototype,H)??{get(){return this[C]},set(e){this[C]=e}};return{get:L,set(e){let a=L?.call(this);r?.call(this,e),this.requestUpdate(H,a,V)},configurable:!0,enumerable:!0}}static getPropertyOptions(H){return this.elementProperties.get(H)??T1}static _$Ei(){if(this.hasOwnProperty(G("elementProperties")))return;let H=y2(this);H.finalize(),H.l!==void 0&&(this.l=[...H.l]),this.elementProperties=new Map(H.elementProperties)}static finalize(){if(this.hasOwnProperty(G("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(G("properties"))){let C=this.properties,V=[...k2(C),...b2(C)];for(let L of V)this.createProperty(L,C[L])}let H=this[Symbol.metadata];if(H!==null){let C=litPropertyMetadata.get(H);if(C!==void 0)for(let[V,L]of C)this.elementProperties.set(V,L)}this._$Eh=new Map;for(let[C,V]of this.elementProperties){let L=this._$Eu(C,V);L!==void 0&&this._$Eh.set(L,C)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(H){let C=[];if(Array.isArray(H)){let V=new Set(H.flat(1/0).reverse());for(let L of V)C.unshift(m1(L))}else H!==void 0&&C.push(m1(H));return C}static _$Eu(H,C){let V=C.attribute;return V===!1?void 0:typeof V=="string"?V:typeof H=="string"?H.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(H=>this.enableUpdating=H),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(H=>H(this))}addController(H){(this._$EO??=new Set).add(H),this.renderRoot!==void 0&&this.isConnected&&H.hostConnected?.()}removeController(H){this._$EO?.delete(H)}_$E_(){let H=new Map,C=this.constructor.elementProperties;for(let V of C.keys())this.hasOwnProperty(V)&&(H.set(V,this[V]),delete this[V]);H.size>0&&(this._$Ep=H)}createRenderRoot(){let H=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return w1(H,this.constructor.elementStyles),H}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(H=>H.hostConnected?.())}enableUpdating(H){}disconnectedCallback(){this._$EO?.forEach(H=>H.hostDisconnected?.())}attributeChangedCallback(H,C,V){this._$AK(H,V)}_$ET(H,C){let V=this.constructor.elementProperties.get(H),L=this.constructor._$Eu(H,V);if(L!==void 0&&V.reflect===!0){let r=(V.converter?.toAttribute!==void 0?V.converter:Q).toAttribute(C,V.type);this._$Em=H,r==null?this.removeAttribute(L):this.setAttribute(L,r),this._$Em=null}}_$AK(H,C){let V=this.constructor,L=V._$Eh.get(H);if(L!==void 0&&this._$Em!==L){let r=V.getPropertyOptions(L),e=typeof r.converter=="function"?{fromAttribute:r.converter}:r.converter?.fromAttribute!==void 0?r.converter:Q;this._$Em=L;let a=e.fromAttribute(C,r.type);this[L]=a??this._$Ej?.get(L)??a,this._$Em=null}}requestUpdate(H,C,V,L=!1,r){if(H!==void 0){let e=this.constructor;if(L===!1&&(r=this[H]),V??=e.getPropertyOptions(H),!((V.hasChanged??M1)(r,C)||V.useDefault&&V.reflect&&r===this._$Ej?.get(H)&&!this.hasAttribute(e._$Eu(H,V))))return;this.C(H,C,V)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(H,C,{useDefault:V,reflect:L,wrapped:r},e){V&&!(this._$Ej??=new Map).has(H)&&(this._$Ej.set(H,e??C??this[H]),r!==!0||e!==void 0)||(this._$AL.has(H)||(this.hasUpdated||V||(C=void 0),this._$AL.set(H,C)),L===!0&&this._$Em!==H&&(this._$Eq??=new Set).add(H))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(C){Promise.reject(C)}let H=this.scheduleUpdate();return H!=null&&await H,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[L,r]of this._$Ep)this[L]=r;this._$Ep=void 0}let V=this.constructor.elementProperties;if(V.size>0)for(let[L,r]of V){let{wrapped:e}=r,a=this[L];e!==!0||this._$AL.has(L)||a===void 0||this.C(L,void 0,r,a)}}let H=!1,C=this._$AL;try{H=this.shouldUpdate(C),H?(this.willUpdate(C),this._$EO?.forEach(V=>V.hostUpdate?.()),this.update(C)):this._$EM()}catch(V){throw H=!1,this._$EM(),V}H&&this._$AE(C)}willUpdate(H){}_$AE(H){this._$EO?.forEach(C=>C.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(H)),this.updated(H)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(H){return!0}update(H){this._$Eq&&=this._$Eq.forEach(C=>this._$ET(C,this[C])),this._$EM()}updated(H){}firstUpdated(H){}};k.elementStyles=[],k.shadowRootOptions={mode:"open"},k[G("elementProperties")]=new Map,k[G("finalized")]=new Map,w2?.({ReactiveElement:k}),(L1.reactiveElementVersions??=[]).push("2.1.2");var u1=globalThis,F1=M=>M,r1=u1.trustedTypes,R1=r1?r1.createPolicy("lit-html",{createHTML:M=>M}):void 0,I1="$lit$",w=`lit$${Math.random().toFixed(9).slice(2)}$`,W1="?"+w,P2=`<${W1}>`,R=document,j=()=>R.createComment(""),K=M=>M===null||typeof M!="object"&&typeof M!="function",S1=Array.isArray,T2=M=>S1(M)||typeof M?.[Symbol.iterator]=="function",n1=`[ 	
\f\r]`,q=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,E1=/-->/g,D1=/>/g,T=RegExp(`>|${n1}(?:([^\\s"'>=/]+)(${n1}*=${n1}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),$1=/'/g,N1=/"/g,z1=/^(?:script|style|textarea|title)$/i,c1=M=>(H,...C)=>({_$litType$:M,strings:H,values:C}),t=c1(1),U1=c1(2),M5=c1(3),E=Symbol.for("lit-noChange"),i=Symbol.for("lit-nothing"),_1=new WeakMap,F=R.createTreeWalker(R,129);function G1(M,H){if(!S1(M)||!M.hasOwnProperty("raw"))throw Error("invalid template strings array");return R1!==void 0?R1.createHTML(H):H}var F2=(M,H)=>{let C=M.length-1,V=[],L,r=H===2?"<svg>":H===3?"<math>":"",e=q;for(let a=0;a<C;a++){let A=M[a],n,v,l=-1,f=0;for(;f<A.length&&(e.lastIndex=f,v=e.exec(A),v!==null);)f=e.lastIndex,e===q?v[1]==="!--"?e=E1:v[1]!==void 0?e=D1:v[2]!==void 0?(z1.test(v[2])&&(L=RegExp("</"+v[2],"g")),e=T):v[3]!==void 0&&(e=T):e===T?v[0]===">"?(e=L??q,l=-1):v[1]===void 0?l=-2:(l=e.lastIndex-v[2].length,n=v[1],e=v[3]===void 0?T:v[3]==='"'?N1:$1):e===N1||e===$1?e=T:e===E1||e===D1?e=q:(e=T,L=void 0);let B=e===T&&M[a+1].startsWith("/>")?" ":"";r+=e===q?A+P2:l>=0?(V.push(n),A.slice(0,l)+I1+A.slice(l)+w+B):A+w+(l===-2?a:B)}return[G1(M,r+(M[C]||"<?>")+(H===2?"</svg>":H===3?"</math>":"")),V]},J=class M{constructor({strings:H,_$litType$:C},V){let L;this.parts=[];let r=0,e=0,a=H.length-1,A=this.parts,[n,v]=F2(H,C);if(this.el=M.createElement(n,V),F.currentNode=this.el.content,C===2||C===3){let l=this.el.content.firstChild;l.replaceWith(...l.childNodes)}for(;(L=F.nextNode())!==null&&A.length<a;){if(L.nodeType===1){if(L.hasAttributes())for(let l of L.getAttributeNames())if(l.endsWith(I1)){let f=v[e++],B=L.getAttribute(l).split(w),C1=/([.?@])?(.*)/.exec(f);A.push({type:1,index:r,name:C1[2],strings:B,ctor:C1[1]==="."?l1:C1[1]==="?"?x1:C1[1]==="@"?Z1:_}),L.removeAttribute(l)}else l.startsWith(w)&&(A.push({type:6,index:r}),L.removeAttribute(l));if(z1.test(L.tagName)){let l=L.textContent.split(w),f=l.length-1;if(f>0){L.textContent=r1?r1.emptyScript:"";for(let B=0;B<f;B++)L.append(l[B],j()),F.nextNode(),A.push({type:2,index:++r});L.append(l[f],j())}}}else if(L.nodeType===8)if(L.data===W1)A.push({type:2,index:r});else{let l=-1;for(;(l=L.data.indexOf(w,l+1))!==-1;)A.push({type:7,index:r}),l+=w.length-1}r++}}static createElement(H,C){let V=R.createElement("template");return V.innerHTML=H,V}};function N(M,H,C=M,V){if(H===E)return H;let L=V!==void 0?C._$Co?.[V]:C._$Cl,r=K(H)?void 0:H._$litDirective$;return L?.constructor!==r&&(L?._$AO?.(!1),r===void 0?L=void 0:(L=new r(M),L._$AT(M,C,V)),V!==void 0?(C._$Co??=[])[V]=L:C._$Cl=L),L!==void 0&&(H=N(M,L._$AS(M,H.values),L,V)),H}var v1=class{constructor(H,C){this._$AV=[],this._$AN=void 0,this._$AD=H,this._$AM=C}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(H){let{el:{content:C},parts:V}=this._$AD,L=(H?.creationScope??R).importNode(C,!0);F.currentNode=L;let r=F.nextNode(),e=0,a=0,A=V[0];for(;A!==void 0;){if(e===A.index){let n;A.type===2?n=new X(r,r.nextSibling,this,H):A.type===1?n=new A.ctor(r,A.name,A.strings,this,H):A.type===6&&(n=new s1(r,this,H)),this._$AV.push(n),A=V[++a]}e!==A?.index&&(r=F.nextNode(),e++)}return F.currentNode=R,L}p(H){let C=0;for(let V of this._$AV)V!==void 0&&(V.strings!==void 0?(V._$AI(H,V,C),C+=V.strings.length-2):V._$AI(H[C])),C++}},X=class M{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(H,C,V,L){this.type=2,this._$AH=i,this._$AN=void 0,this._$AA=H,this._$AB=C,this._$AM=V,this.options=L,this._$Cv=L?.isConnected??!0}get parentNode(){let H=this._$AA.parentNode,C=this._$AM;return C!==void 0&&H?.nodeType===11&&(H=C.parentNode),H}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(H,C=this){H=N(this,H,C),K(H)?H===i||H==null||H===""?(this._$AH!==i&&this._$AR(),this._$AH=i):H!==this._$AH&&H!==E&&this._(H):H._$litType$!==void 0?this.$(H):H.nodeType!==void 0?this.T(H):T2(H)?this.k(H):this._(H)}O(H){return this._$AA.parentNode.insertBefore(H,this._$AB)}T(H){this._$AH!==H&&(this._$AR(),this._$AH=this.O(H))}_(H){this._$AH!==i&&K(this._$AH)?this._$AA.nextSibling.data=H:this.T(R.createTextNode(H)),this._$AH=H}$(H){let{values:C,_$litType$:V}=H,L=typeof V=="number"?this._$AC(H):(V.el===void 0&&(V.el=J.createElement(G1(V.h,V.h[0]),this.options)),V);if(this._$AH?._$AD===L)this._$AH.p(C);else{let r=new v1(L,this),e=r.u(this.options);r.p(C),this.T(e),this._$AH=r}}_$AC(H){let C=_1.get(H.strings);return C===void 0&&_1.set(H.strings,C=new J(H)),C}k(H){S1(this._$AH)||(this._$AH=[],this._$AR());let C=this._$AH,V,L=0;for(let r of H)L===C.length?C.push(V=new M(this.O(j()),this.O(j()),this,this.options)):V=C[L],V._$AI(r),L++;L<C.length&&(this._$AR(V&&V._$AB.nextSibling,L),C.length=L)}_$AR(H=this._$AA.nextSibling,C){for(this._$AP?.(!1,!0,C);H!==this._$AB;){let V=F1(H).nextSibling;F1(H).remove(),H=V}}setConnected(H){this._$AM===void 0&&(this._$Cv=H,this._$AP?.(H))}},_=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(H,C,V,L,r){this.type=1,this._$AH=i,this._$AN=void 0,this.element=H,this.name=C,this._$AM=L,this.options=r,V.length>2||V[0]!==""||V[1]!==""?(this._$AH=Array(V.length-1).fill(new String),this.strings=V):this._$AH=i}_$AI(H,C=this,V,L){let r=this.strings,e=!1;if(r===void 0)H=N(this,H,C,0),e=!K(H)||H!==this._$AH&&H!==E,e&&(this._$AH=H);else{let a=H,A,n;for(H=r[0],A=0;A<r.length-1;A++)n=N(this,a[V+A],C,A),n===E&&(n=this._$AH[A]),e||=!K(n)||n!==this._$AH[A],n===i?H=i:H!==i&&(H+=(n??"")+r[A+1]),this._$AH[A]=n}e&&!L&&this.j(H)}j(H){H===i?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,H??"")}},l1=class extends _{constructor(){super(...arguments),this.type=3}j(H){this.element[this.name]=H===i?void 0:H}},x1=class extends _{constructor(){super(...arguments),this.type=4}j(H){this.element.toggleAttribute(this.name,!!H&&H!==i)}},Z1=class extends _{constructor(H,C,V,L,r){super(H,C,V,L,r),this.type=5}_$AI(H,C=this){if((H=N(this,H,C,0)??i)===E)return;let V=this._$AH,L=H===i&&V!==i||H.capture!==V.capture||H.once!==V.once||H.passive!==V.passive,r=H!==i&&(V===i||L);L&&this.element.removeEventListener(this.name,this,V),r&&this.element.addEventListener(this.name,this,H),this._$AH=H}handleEvent(H){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,H):this._$AH.handleEvent(H)}},s1=class{constructor(H,C,V){this.element=H,this.type=6,this._$AN=void 0,this._$AM=C,this.options=V}get _$AU(){return this._$AM._$AU}_$AI(H){N(this,H)}};var R2=u1.litHtmlPolyfillSupport;R2?.(J,X),(u1.litHtmlVersions??=[]).push("3.3.3");var Q1=(M,H,C)=>{let V=C?.renderBefore??H,L=V._$litPart$;if(L===void 0){let r=C?.renderBefore??null;V._$litPart$=L=new X(H.insertBefore(j(),r),r,void 0,C??{})}return L._$AI(M),L};var h1=globalThis,x=class extends k{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let H=super.createRenderRoot();return this.renderOptions.renderBefore??=H.firstChild,H}update(H){let C=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(H),this._$Do=Q1(C,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return E}};x._$litElement$=!0,x.finalized=!0,h1.litElementHydrateSupport?.({LitElement:x});var E2=h1.litElementPolyfillSupport;E2?.({LitElement:x});(h1.litElementVersions??=[]).push("4.2.2");var D2={attribute:!0,type:String,converter:Q,reflect:!1,hasChanged:M1},$2=(M=D2,H,C)=>{let{kind:V,metadata:L}=C,r=globalThis.litPropertyMetadata.get(L);if(r===void 0&&globalThis.litPropertyMetadata.set(L,r=new Map),V==="setter"&&((M=Object.create(M)).wrapped=!0),r.set(C.name,M),V==="accessor"){let{name:e}=C;return{set(a){let A=H.get.call(this);H.set.call(this,a),this.requestUpdate(e,A,M,!0,a)},init(a){return a!==void 0&&this.C(e,void 0,M,a),a}}}if(V==="setter"){let{name:e}=C;return function(a){let A=this[e];H.call(this,a),this.requestUpdate(e,A,M,!0,a)}}throw Error("Unsupported decorator location: "+V)};function d(M){return(H,C)=>typeof C=="object"?$2(M,H,C):((V,L,r)=>{let e=L.hasOwnProperty(r);return L.constructor.createProperty(r,V),e?Object.getOwnPropertyDescriptor(L,r):void 0})(M,H,C)}function s(M){return d({...M,state:!0,attribute:!1})}var t1="otto-action";function b(M,H,C={}){M.dispatchEvent(new CustomEvent(t1,{detail:{action:H,data:C},bubbles:!0,composed:!0}))}function i1(M){return Object.values(M).sort((H,C)=>{let V=Number(H.id),L=Number(C.id);return!Number.isNaN(V)&&!Number.isNaN(L)?V-L:String(H.id).localeCompare(String(C.id))})}var N2="ottoengine/panel/subscribe";function _2(M,H){if(H.kind==="snapshot")return H.farm;if(M!==void 0)return I2(M,H)}function I2(M,H){let C={...M};return H.printers&&(C.printers=O1(M.printers,H.printers)),H.ottoejects&&(C.ottoejects=O1(M.ottoejects,H.ottoejects)),H.racks&&(C.racks=O1(M.racks,H.racks)),H.queue&&(C.queue=H.queue),H.figures&&(C.figures=H.figures),H.processing&&(C.processing=H.processing),C}function O1(M,H){let C={...M};for(let[V,L]of Object.entries(H))L===null?delete C[V]:C[V]=L;return C}var o1=class{constructor(H){this.disconnected=!1;this.generation=0;this.onDisconnected=()=>{this.disconnected=!0,this.listener()};this.onReady=()=>{this.disconnected=!1,this.listener()};this.listener=H}connect(H){if(this.hass?.connection===H.connection&&this.unsubscribe){this.hass=H;return}this.disconnect(),this.hass=H;let C=++this.generation,V=H.connection;V.addEventListener("disconnected",this.onDisconnected),V.addEventListener("ready",this.onReady),this.unsubscribe=V.subscribeMessage(L=>{C===this.generation&&this.handle(L)},{type:N2},{resubscribe:!0}).then(L=>(this.error=void 0,L),L=>{this.error=L&&typeof L=="object"&&"message"in L?String(L.message):String(L),this.listener()})}disconnect(){let H=this.hass?.connection;H&&(H.removeEventListener("disconnected",this.onDisconnected),H.removeEventListener("ready",this.onReady)),this.generation++;let C=this.unsubscribe;this.unsubscribe=void 0,this.hass=void 0,C?.then(V=>V?.()).catch(()=>{})}handle(H){this.farm=_2(this.farm,H),this.disconnected=!1,this.listener()}};var q1="M13,13H11V7H13M13,17H11V15H13M12,2A10,10 0 0,0 2,12A10,10 0 0,0 12,22A10,10 0 0,0 22,12A10,10 0 0,0 12,2Z";var j1="M12 2C6.5 2 2 6.5 2 12S6.5 22 12 22 22 17.5 22 12 17.5 2 12 2M10 17L5 12L6.41 10.59L10 14.17L17.59 6.58L19 8L10 17Z";var K1="M7.41,8.58L12,13.17L16.59,8.58L18,10L12,16L6,10L7.41,8.58Z";var J1="M7.41,15.41L12,10.83L16.59,15.41L18,14L12,8L6,14L7.41,15.41Z";var X1="M12,20A8,8 0 0,0 20,12A8,8 0 0,0 12,4A8,8 0 0,0 4,12A8,8 0 0,0 12,20M12,2A10,10 0 0,1 22,12A10,10 0 0,1 12,22C6.47,22 2,17.5 2,12A10,10 0 0,1 12,2M12.5,7V12.25L17,14.92L16.25,16.15L11,13V7H12.5Z";var Y1="M19,6.41L17.59,5L12,10.59L6.41,5L5,6.41L10.59,12L5,17.59L6.41,19L12,13.41L17.59,19L19,17.59L13.41,12L19,6.41Z";var C2="M21,16.5C21,16.88 20.79,17.21 20.47,17.38L12.57,21.82C12.41,21.94 12.21,22 12,22C11.79,22 11.59,21.94 11.43,21.82L3.53,17.38C3.21,17.21 3,16.88 3,16.5V7.5C3,7.12 3.21,6.79 3.53,6.62L11.43,2.18C11.59,2.06 11.79,2 12,2C12.21,2 12.41,2.06 12.57,2.18L20.47,6.62C20.79,6.79 21,7.12 21,7.5V16.5M12,4.15L6.04,7.5L12,10.85L17.96,7.5L12,4.15M5,15.91L11,19.29V12.58L5,9.21V15.91M19,15.91V9.21L13,12.58V19.29L19,15.91Z";var H2="M9,3H11V5H9V3M13,3H15V5H13V3M9,7H11V9H9V7M13,7H15V9H13V7M9,11H11V13H9V11M13,11H15V13H13V11M9,15H11V17H9V15M13,15H15V17H13V15M9,19H11V21H9V19M13,19H15V21H13V19Z";var V2="M14,2H6A2,2 0 0,0 4,4V20A2,2 0 0,0 6,22H18A2,2 0 0,0 20,20V8L14,2M13.5,16V19H10.5V16H8L12,12L16,16H13.5M13,9V3.5L18.5,9H13Z";var L2="M4,1C2.89,1 2,1.89 2,3V7C2,8.11 2.89,9 4,9H1V11H13V9H10C11.11,9 12,8.11 12,7V3C12,1.89 11.11,1 10,1H4M4,3H10V7H4V3M14,13C12.89,13 12,13.89 12,15V19C12,20.11 12.89,21 14,21H11V23H23V21H20C21.11,21 22,20.11 22,19V15C22,13.89 21.11,13 20,13H14M3.88,13.46L2.46,14.88L4.59,17L2.46,19.12L3.88,20.54L6,18.41L8.12,20.54L9.54,19.12L7.41,17L9.54,14.88L8.12,13.46L6,15.59L3.88,13.46M14,15H20V19H14V15Z";var M2="M12,16L19.36,10.27L21,9L12,2L3,9L4.63,10.27M12,18.54L4.62,12.81L3,14.07L12,21.07L21,14.07L19.37,12.8L12,18.54Z";var r2="M3,6H21V8H3V6M3,11H21V13H3V11M3,16H21V18H3V16Z";var e2="M14,19H18V5H14M6,19H10V5H6V19Z";var t2="M8,5.14V19.14L19,12.14L8,5.14Z";var i2="M19,6A1,1 0 0,0 20,5A1,1 0 0,0 19,4A1,1 0 0,0 18,5A1,1 0 0,0 19,6M19,2A3,3 0 0,1 22,5V11H18V7H6V11H2V5A3,3 0 0,1 5,2H19M18,18.25C18,18.63 17.79,18.96 17.47,19.13L12.57,21.82C12.4,21.94 12.21,22 12,22C11.79,22 11.59,21.94 11.43,21.82L6.53,19.13C6.21,18.96 6,18.63 6,18.25V13C6,12.62 6.21,12.29 6.53,12.12L11.43,9.68C11.59,9.56 11.79,9.5 12,9.5C12.21,9.5 12.4,9.56 12.57,9.68L17.47,12.12C17.79,12.29 18,12.62 18,13V18.25M12,11.65L9.04,13L12,14.6L14.96,13L12,11.65M8,17.66L11,19.29V16.33L8,14.71V17.66M16,17.66V14.71L13,16.33V19.29L16,17.66Z",o2="M7,2H17V8H19V13H16.5L13,17H11L7.5,13H5V8H7V2M10,22H2V20H10A1,1 0 0,0 11,19V18H13V19A3,3 0 0,1 10,22Z";var A2="M7.95,3L6.53,5.19L7.95,7.4H7.94L5.95,10.5L4.22,9.6L5.64,7.39L4.22,5.19L6.22,2.09L7.95,3M13.95,2.89L12.53,5.1L13.95,7.3L13.94,7.31L11.95,10.4L10.22,9.5L11.64,7.3L10.22,5.1L12.22,2L13.95,2.89M20,2.89L18.56,5.1L20,7.3V7.31L18,10.4L16.25,9.5L17.67,7.3L16.25,5.1L18.25,2L20,2.89M2,22V14A2,2 0 0,1 4,12H20A2,2 0 0,1 22,14V22H20V20H4V22H2M6,14A1,1 0 0,0 5,15V17A1,1 0 0,0 6,18A1,1 0 0,0 7,17V15A1,1 0 0,0 6,14M10,14A1,1 0 0,0 9,15V17A1,1 0 0,0 10,18A1,1 0 0,0 11,17V15A1,1 0 0,0 10,14M14,14A1,1 0 0,0 13,15V17A1,1 0 0,0 14,18A1,1 0 0,0 15,17V15A1,1 0 0,0 14,14M18,14A1,1 0 0,0 17,15V17A1,1 0 0,0 18,18A1,1 0 0,0 19,17V15A1,1 0 0,0 18,14Z";var a2="M12,5V1L7,6L12,11V7A6,6 0 0,1 18,13A6,6 0 0,1 12,19A6,6 0 0,1 6,13H4A8,8 0 0,0 12,21A8,8 0 0,0 20,13A8,8 0 0,0 12,5Z";var d2="M18.41,4L16,6.41V6.59L18.41,9H22V11H17.59L16,9.41V12H15A2,2 0 0,1 13,10V7.5H9.86C9.77,7.87 9.62,8.22 9.42,8.55L15.18,19H20A2,2 0 0,1 22,21V22H2V21A2,2 0 0,1 4,19H10.61L5.92,10.5C4.12,10.47 2.56,9.24 2.11,7.5C1.56,5.36 2.85,3.18 5,2.63C7.13,2.08 9.31,3.36 9.86,5.5H13V3A2,2 0 0,1 15,1H16V3.59L17.59,2H22V4H18.41M6,4.5A2,2 0 0,0 4,6.5A2,2 0 0,0 6,8.5A2,2 0 0,0 8,6.5A2,2 0 0,0 6,4.5Z";var p2="M15 13V5A3 3 0 0 0 9 5V13A5 5 0 1 0 15 13M12 4A1 1 0 0 1 13 5V8H11V5A1 1 0 0 1 12 4Z";var m2="M2 12H4V17H20V12H22V17A2 2 0 0 1 20 19H4A2 2 0 0 1 2 17Z";var n2="M18 5H6V7H18M6 9H18V11H6M2 12H4V17H20V12H22V17A2 2 0 0 1 20 19H4A2 2 0 0 1 2 17M18 13H6V15H18Z";var W2={"mdi:alert-circle":q1,"mdi:check-circle":j1,"mdi:chevron-down":K1,"mdi:chevron-up":J1,"mdi:clock-outline":X1,"mdi:close":Y1,"mdi:cube-outline":C2,"mdi:drag-vertical":H2,"mdi:file-upload":V2,"mdi:lan-disconnect":L2,"mdi:layers":M2,"mdi:menu":r2,"mdi:pause":e2,"mdi:play":t2,"mdi:printer-3d":i2,"mdi:printer-3d-nozzle":o2,"mdi:radiator":A2,"mdi:replay":a2,"mdi:robot-industrial":d2,"mdi:thermometer":p2,"mdi:tray":m2,"mdi:tray-full":n2};function A1(M){return customElements.get(M)!==void 0}function u(M,H){A1(M)||customElements.define(M,H)}function m(M){let H=W2[M];return H===void 0?t`<ha-icon icon=${M}></ha-icon>`:A1("ha-svg-icon")?t`<ha-svg-icon .path=${H}></ha-svg-icon>`:t`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" width="24" height="24">
    ${U1`<path fill="currentColor" d=${H}></path>`}
  </svg>`}function I(M,H,C=""){return A1("ha-card")?t`<ha-card class="card ${C}" data-testid=${H}>${M}</ha-card>`:t`<div class="card fallback ${C}" data-testid=${H}>${M}</div>`}function v2(M,H){return A1("ha-menu-button")?t`<ha-menu-button .hass=${M} .narrow=${H}></ha-menu-button>`:t`<button class="icon-button menu" @click=${V=>V.target?.dispatchEvent(new Event("hass-toggle-menu",{bubbles:!0,composed:!0}))} aria-label="Menu">
    ${m("mdi:menu")}
  </button>`}function a1(M){if(M&&typeof M=="object"&&"message"in M){let H=M.message;if(typeof H=="string"&&H)return H}return M&&typeof M=="object"&&"code"in M?String(M.code):String(M)}var l2="component.ottoengine.panel.";function x2(M,H=""){let C={};for(let[V,L]of Object.entries(M))L&&typeof L=="object"?Object.assign(C,x2(L,`${H}${V}.`)):typeof L=="string"&&(C[`${H}${V}`]=L);return C}var D=x2(p);async function Z2(M,H){if(H==="en")return D;try{let C=await M.callWS({type:"frontend/get_translations",language:H,category:"panel",integration:["ottoengine"]}),V={...D};for(let[L,r]of Object.entries(C.resources??{}))L.startsWith(l2)&&typeof r=="string"&&(V[L.slice(l2.length)]=r);return V}catch{return D}}function g1(M){return(H,C)=>{let V=M[H]??D[H]??H;return C?V.replace(/\{(\w+)\}/g,(L,r)=>r in C?String(C[r]):L):V}}var d1=class{constructor(H,C){this.language=H.locale?.language||H.language||"en";let V=H.locale?.time_format;this.hour12=V==="12"?!0:V==="24"?!1:void 0,this.timeZone=H.locale?.time_zone==="server"?H.config?.time_zone:void 0,this.localize=C}number(H,C=0){return new Intl.NumberFormat(this.language,{maximumFractionDigits:C,minimumFractionDigits:C}).format(H)}duration(H){let C=Math.max(0,Math.ceil(H)),V=Math.floor(C/60),L=C%60;return V===0?this.localize("format.minutes",{minutes:L}):this.localize("format.hours_minutes",{hours:this.number(V),minutes:String(L).padStart(2,"0")})}time(H,C=new Date){let V=new Date(H);if(Number.isNaN(V.getTime()))return"";let L={hour:"numeric",minute:"2-digit",hour12:this.hour12};this.timeZone&&(L.timeZone=this.timeZone);let r=e=>new Intl.DateTimeFormat("en-CA",{timeZone:this.timeZone,dateStyle:"short"}).format(e);return r(V)!==r(C)&&(L.weekday="short"),new Intl.DateTimeFormat(this.language,L).format(V)}temperature(H,C){if(H==null)return"—";let V=`${this.number(H)} °C`;return C==null||C<=0?V:`${this.number(H)} / ${this.number(C)} °C`}};var S=Z`
  :host {
    color: var(--primary-text-color);
    font-family: var(--ha-font-family-body, var(--paper-font-body1_-_font-family, Roboto, Noto, sans-serif));
    --otto-radius: var(--ha-card-border-radius, 12px);
    --mdc-icon-size: 20px;
  }
  .card {
    display: block;
    box-sizing: border-box;
    height: 100%;
  }
  .card.fallback {
    background: var(--ha-card-background, var(--card-background-color, #fff));
    border-radius: var(--otto-radius);
    border: var(--ha-card-border-width, 1px) solid var(--ha-card-border-color, var(--divider-color, #e0e0e0));
    box-shadow: var(--ha-card-box-shadow, none);
    color: var(--primary-text-color);
  }
  .otto-header {
    display: flex;
    align-items: center;
    gap: 12px;
    padding: 12px 16px 8px;
  }
  .otto-header .title {
    flex: 1;
    min-width: 0;
  }
  .otto-header h2 {
    margin: 0;
    font-size: 1.1em;
    font-weight: 500;
    line-height: 1.3;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .secondary {
    color: var(--secondary-text-color);
    font-size: 0.875em;
  }
  .otto-content {
    padding: 0 16px 16px;
  }
  svg.icon,
  ha-svg-icon,
  ha-icon {
    width: var(--mdc-icon-size);
    height: var(--mdc-icon-size);
    flex: none;
    display: inline-block;
    vertical-align: middle;
  }
  .avatar {
    width: 40px;
    height: 40px;
    border-radius: 50%;
    display: flex;
    align-items: center;
    justify-content: center;
    flex: none;
    color: var(--otto-state-color, var(--primary-color));
    background: color-mix(in srgb, var(--otto-state-color, var(--primary-color)) 18%, transparent);
    --mdc-icon-size: 22px;
  }
  .chip {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    padding: 2px 10px;
    border-radius: 12px;
    font-size: 0.8em;
    font-weight: 500;
    white-space: nowrap;
    color: var(--otto-state-color, var(--secondary-text-color));
    background: color-mix(in srgb, var(--otto-state-color, var(--secondary-text-color)) 16%, transparent);
  }
  .state-ok {
    --otto-state-color: var(--success-color, #43a047);
  }
  .state-busy {
    --otto-state-color: var(--primary-color, #03a9f4);
  }
  .state-warn {
    --otto-state-color: var(--warning-color, #ffa600);
  }
  .state-error {
    --otto-state-color: var(--error-color, #db4437);
  }
  .state-off {
    --otto-state-color: var(--disabled-text-color, var(--secondary-text-color, #9e9e9e));
  }
  .progress {
    height: 8px;
    border-radius: 4px;
    background: color-mix(in srgb, var(--primary-color) 18%, transparent);
    overflow: hidden;
  }
  .progress > div {
    height: 100%;
    background: var(--primary-color);
    border-radius: 4px;
    transition: width 0.6s ease;
  }
  button {
    font: inherit;
  }
  .button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 6px;
    min-height: 36px;
    padding: 0 14px;
    border-radius: 18px;
    border: 1px solid var(--divider-color);
    background: transparent;
    color: var(--primary-color);
    font-weight: 500;
    font-size: 0.875em;
    cursor: pointer;
    --mdc-icon-size: 18px;
  }
  .button:hover:not([disabled]) {
    background: color-mix(in srgb, var(--primary-color) 8%, transparent);
  }
  .button.primary {
    background: var(--primary-color);
    border-color: var(--primary-color);
    color: var(--text-primary-color, #fff);
  }
  .button.primary:hover:not([disabled]) {
    background: color-mix(in srgb, var(--primary-color) 85%, #000);
  }
  .button.danger {
    color: var(--error-color);
  }
  .button[disabled] {
    opacity: 0.5;
    cursor: default;
  }
  .icon-button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    width: 36px;
    height: 36px;
    padding: 0;
    border: none;
    border-radius: 50%;
    background: transparent;
    color: var(--secondary-text-color);
    cursor: pointer;
    flex: none;
  }
  .icon-button:hover:not([disabled]) {
    background: color-mix(in srgb, var(--primary-text-color) 8%, transparent);
    color: var(--primary-text-color);
  }
  .icon-button[disabled] {
    opacity: 0.35;
    cursor: default;
  }
  .icon-button.danger:hover:not([disabled]) {
    color: var(--error-color);
  }
  button:focus-visible,
  input:focus-visible,
  [tabindex]:focus-visible {
    outline: 2px solid var(--primary-color);
    outline-offset: 2px;
  }
  input[type="number"] {
    font: inherit;
    color: var(--primary-text-color);
    background: var(--input-fill-color, var(--secondary-background-color, transparent));
    border: 1px solid var(--divider-color);
    border-radius: 8px;
    padding: 6px 8px;
    width: 4.5em;
    box-sizing: border-box;
  }
  .empty {
    color: var(--secondary-text-color);
    padding: 8px 0;
    font-size: 0.9em;
  }
`;function h(M,H=!0){if(!H)return"state-off";switch(M){case"RUNNING":case"PRINTING":case"PREPARING":case"EJECTING":case"STORING":case"printing":case"running":case"ejecting":case"starting":case"confirming":case"BUSY":return"state-busy";case"FINISH":case"COMPLETED":case"READY":case"ONLINE":case"IDLE":case"done":case"ready":case"idle":return"state-ok";case"PAUSED":case"paused":case"waiting_for_ejector":case"QUEUED":case"NEW":return"state-warn";case"FAILED":case"ERROR":case"error":case"OFFLINE":case"ISSUE":return"state-error";default:return"state-off"}}var y=class extends x{constructor(){super(...arguments);this.admin=!1;this.loaded=!0}render(){let C=this.figures,V=this.localize,L=this.format,r=this.processing.enabled,e=(a,A)=>t`<div class="figure"><span class="value">${a}</span><span class="label">${A}</span></div>`;return t`<div class="bar" data-testid="figures">
      ${e(L.number(C.jobs_today),V("figures.jobs_today"))}
      ${e(C.success_rate===null||C.success_rate===void 0?"—":`${L.number(C.success_rate)} %`,V("figures.success_rate"))}
      ${e(L.number(C.print_hours_today,1),V("figures.print_hours_today"))}
      ${e(L.number(C.print_hours_total,0),V("figures.print_hours_total"))}
      ${e(L.number(C.queued),V("figures.queued"))}
      ${e(L.number(C.active),V("figures.active"))}
      ${this.loaded?this.renderProcessing(r):i}
    </div>`}renderProcessing(C){let V=this.localize;return t`
      <div class="processing">
        <span class="chip ${C?"state-ok":"state-warn"}">${V(C?"processing.running":"processing.paused")}</span>
        ${this.admin?t`<button
              class="button ${C?"":"primary"}"
              data-testid="processing-toggle"
              aria-pressed=${C?"false":"true"}
              @click=${()=>b(this,C?"pause_processing":"resume_processing")}
            >${m(C?"mdi:pause":"mdi:play")}${V(C?"processing.pause":"processing.resume")}</button>`:i}
      </div>`}static{this.styles=[S,Z`
      .bar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px 24px;
        padding: 12px 16px;
        background: var(--ha-card-background, var(--card-background-color));
        border: var(--ha-card-border-width, 1px) solid var(--ha-card-border-color, var(--divider-color));
        border-radius: var(--otto-radius);
      }
      .figure {
        display: flex;
        flex-direction: column;
        min-width: 64px;
      }
      .value {
        font-size: 1.4em;
        font-weight: 500;
        font-variant-numeric: tabular-nums;
      }
      .label {
        font-size: 0.8em;
        color: var(--secondary-text-color);
      }
      .processing {
        margin-left: auto;
        display: flex;
        align-items: center;
        gap: 12px;
      }
      @media (max-width: 600px) {
        .bar {
          display: grid;
          grid-template-columns: repeat(3, 1fr);
        }
        .processing {
          grid-column: 1 / -1;
          margin-left: 0;
          justify-content: space-between;
        }
      }
    `]}};o([d({attribute:!1})],y.prototype,"figures",2),o([d({attribute:!1})],y.prototype,"processing",2),o([d({attribute:!1})],y.prototype,"localize",2),o([d({attribute:!1})],y.prototype,"format",2),o([d({type:Boolean})],y.prototype,"admin",2),o([d({type:Boolean})],y.prototype,"loaded",2);u("ottoengine-figures-bar",y);function f1(M,H,C){let V=M.indexOf(H);if(V<0)return[];let L=M.filter(e=>e!==H),r=Math.max(0,Math.min(L.length,C>V?C-1:C));return r===V?[]:r<L.length?[{job_id:H,before_job_id:L[r]}]:M.slice(V+1).map(e=>({job_id:e,before_job_id:H}))}function k1(M,H,C){let V=M.indexOf(H);return V<0?[]:f1(M,H,C<0?V-1:V+2)}var z2="/api/ottoengine/panel/thumbnails/",b1=new Map;function U2(M,H){let C=b1.get(H);return C||(C=M.fetchWithAuth(`${z2}${H}`).then(async V=>V.ok?URL.createObjectURL(await V.blob()):null).catch(()=>(b1.delete(H),null)),b1.set(H,C)),C}var $=class extends x{constructor(){super(...arguments);this.printItemId=null;this.label="";this.src=null;this.loadedFor=null}willUpdate(){let C=this.printItemId;!this.hass||C===null||C===void 0||C===this.loadedFor||(this.loadedFor=C,this.src=null,U2(this.hass,C).then(V=>{this.loadedFor===C&&(this.src=V)}))}render(){return this.src?t`<img src=${this.src} alt=${this.label} loading="lazy" />`:t`<div class="placeholder" role="img" aria-label=${this.label||i}>
      ${m("mdi:cube-outline")}
    </div>`}static{this.styles=Z`
    :host {
      display: block;
      width: var(--otto-thumbnail-size, 56px);
      height: var(--otto-thumbnail-size, 56px);
      flex: none;
      border-radius: 8px;
      overflow: hidden;
      background: var(--secondary-background-color, rgba(127, 127, 127, 0.12));
    }
    img {
      width: 100%;
      height: 100%;
      object-fit: contain;
      display: block;
    }
    .placeholder {
      width: 100%;
      height: 100%;
      display: flex;
      align-items: center;
      justify-content: center;
      color: var(--secondary-text-color);
      --mdc-icon-size: calc(var(--otto-thumbnail-size, 56px) * 0.5);
    }
  `}};o([d({attribute:!1})],$.prototype,"hass",2),o([d({type:Number,attribute:"print-item-id"})],$.prototype,"printItemId",2),o([d()],$.prototype,"label",2),o([s()],$.prototype,"src",2);u("ottoengine-thumbnail",$);var O=class extends x{constructor(){super(...arguments);this.queue=[];this.admin=!1;this.dragging=null;this.dropIndex=null;this.drop=C=>{C.preventDefault();let V=this.dragging??Number(C.dataTransfer?.getData("text/plain")),L=this.dropIndex;this.end(),!(!V||L===null)&&this.move(f1(this.waitingIds,V,L))};this.end=()=>{this.dragging=null,this.dropIndex=null}}get waitingIds(){return this.queue.filter(C=>C.can_move).map(C=>C.id)}move(C){for(let V of C)b(this,"move_job",{...V})}render(){let C=this.localize;return t`<div class="queue" data-testid="queue" role="list">
      ${this.queue.length===0?t`<div class="empty">${C("queue.empty")}</div>`:i}
      ${this.queue.map(V=>this.renderRow(V))}
      ${this.admin&&this.dragging!==null?t`<div
            class="drop-end ${this.dropIndex===this.waitingIds.length?"over":""}"
            @dragover=${V=>this.over(V,this.waitingIds.length)}
            @drop=${this.drop}
          ></div>`:i}
    </div>`}renderRow(C){let V=this.localize,L=this.waitingIds,r=L.indexOf(C.id),e=this.admin&&C.can_move,a=["COMPLETED","FAILED","CANCELLED"].includes(C.status),A=this.dropIndex===r&&this.dragging!==null&&r>=0;return t`<div
      class="row ${a?"finished":""} ${this.dragging===C.id?"dragging":""} ${A?"over":""}"
      role="listitem"
      data-testid="queue-row-${C.id}"
      draggable=${e?"true":"false"}
      @dragstart=${n=>this.start(n,C)}
      @dragend=${this.end}
      @dragover=${n=>this.over(n,this.rowDropIndex(n,C,r))}
      @drop=${this.drop}
    >
      <span class="handle">${e?m("mdi:drag-vertical"):i}</span>
      <ottoengine-thumbnail .hass=${this.hass} .printItemId=${C.print_item_id} .label=${C.name}></ottoengine-thumbnail>
      <div class="main">
        <div class="name">${C.name}</div>
        <div class="secondary details">
          <span class="chip ${h(C.status)}">${V(`job_status.${C.status}`)}</span>
          ${C.printer_name?t`<span>${C.printer_name}</span>`:i}
          ${C.estimated_minutes?t`<span>${this.format.duration(C.estimated_minutes)}</span>`:i}
          ${C.status==="PRINTING"&&C.progress!==null?t`<span>${this.format.number(C.progress)} %</span>`:i}
          ${C.status_message?t`<span class="message">${C.status_message}</span>`:i}
        </div>
      </div>
      <label class="priority">
        <span class="secondary">${V("queue.priority")}</span>
        ${this.admin&&C.can_move?t`<input
              type="number"
              min="1"
              .value=${String(C.priority)}
              data-testid="queue-priority-${C.id}"
              aria-label=${V("queue.priority")}
              @change=${n=>this.setPriority(C,n.target)}
            />`:t`<span>${C.priority}</span>`}
      </label>
      ${this.admin?t`<div class="buttons">
            ${C.can_move?t`<button class="icon-button" title=${V("queue.move_up")} aria-label=${V("queue.move_up")} ?disabled=${r<=0}
                    @click=${()=>this.move(k1(L,C.id,-1))}>${m("mdi:chevron-up")}</button>
                  <button class="icon-button" title=${V("queue.move_down")} aria-label=${V("queue.move_down")} ?disabled=${r>=L.length-1}
                    @click=${()=>this.move(k1(L,C.id,1))}>${m("mdi:chevron-down")}</button>`:i}
            ${C.can_retry?t`<button class="icon-button" data-testid="queue-retry-${C.id}" title=${V("queue.retry")} aria-label=${V("queue.retry")}
                  @click=${()=>b(this,"retry_job",{job_id:C.id})}>${m("mdi:replay")}</button>`:i}
            ${C.can_cancel?t`<button class="icon-button danger" data-testid="queue-cancel-${C.id}" title=${V("queue.cancel")} aria-label=${V("queue.cancel")}
                  @click=${()=>this.cancel(C)}>${m("mdi:close")}</button>`:i}
          </div>`:i}
    </div>`}cancel(C){b(this,"cancel_job",{job_id:C.id})}setPriority(C,V){let L=Number(V.value);if(!Number.isSafeInteger(L)||L<1){V.value=String(C.priority);return}L!==C.priority&&b(this,"set_priority",{job_id:C.id,priority:L})}rowDropIndex(C,V,L){if(L<0){let e=this.queue.findIndex(a=>a.can_move);return this.queue.indexOf(V)<e?0:this.waitingIds.length}let r=C.currentTarget.getBoundingClientRect();return C.clientY>r.top+r.height*.75?L+1:L}start(C,V){!this.admin||!V.can_move||(this.dragging=V.id,C.dataTransfer?.setData("text/plain",String(V.id)),C.dataTransfer&&(C.dataTransfer.effectAllowed="move"))}over(C,V){this.dragging!==null&&(C.preventDefault(),C.dataTransfer&&(C.dataTransfer.dropEffect="move"),this.dropIndex=V)}static{this.styles=[S,Z`
      .queue {
        display: flex;
        flex-direction: column;
      }
      .row {
        display: flex;
        align-items: center;
        gap: 10px;
        padding: 8px 4px;
        border-top: 2px solid transparent;
        border-bottom: 1px solid var(--divider-color);
        --otto-thumbnail-size: 44px;
      }
      .row[draggable="true"] {
        cursor: grab;
      }
      .row.dragging {
        opacity: 0.4;
      }
      .row.over {
        border-top-color: var(--primary-color);
      }
      .row.finished {
        opacity: 0.7;
      }
      .handle {
        width: 20px;
        color: var(--secondary-text-color);
        flex: none;
      }
      .main {
        flex: 1;
        min-width: 0;
      }
      .name {
        font-weight: 500;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .details {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 4px 10px;
        margin-top: 2px;
      }
      .message {
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .priority {
        display: flex;
        flex-direction: column;
        align-items: center;
        gap: 2px;
        font-size: 0.9em;
      }
      .priority .secondary {
        font-size: 0.75em;
      }
      .buttons {
        display: flex;
        align-items: center;
      }
      .drop-end {
        height: 24px;
        border-top: 2px solid transparent;
      }
      .drop-end.over {
        border-top-color: var(--primary-color);
      }
      @media (max-width: 600px) {
        .row {
          flex-wrap: wrap;
        }
        .main {
          flex-basis: calc(100% - 90px);
        }
        .priority {
          flex-direction: row;
          margin-left: 30px;
        }
        .buttons {
          margin-left: auto;
        }
      }
    `]}};o([d({attribute:!1})],O.prototype,"hass",2),o([d({attribute:!1})],O.prototype,"queue",2),o([d({attribute:!1})],O.prototype,"localize",2),o([d({attribute:!1})],O.prototype,"format",2),o([d({type:Boolean})],O.prototype,"admin",2),o([s()],O.prototype,"dragging",2),o([s()],O.prototype,"dropIndex",2);u("ottoengine-job-queue",O);var Y=class extends x{render(){let H=this.ottoeject,C=this.localize,V=H.online?H.status:"OFFLINE";return I(t`
        <div class="otto-header">
          <div class="avatar ${h(V,H.online)}">${m("mdi:robot-industrial")}</div>
          <div class="title"><h2>${H.name}</h2><div class="secondary">${C("ottoeject.kind")}</div></div>
          <span class="chip ${h(V,H.online)}">${C(`ottoeject_status.${V}`)}</span>
        </div>
        <div class="otto-content">
          <div class="row"><span class="secondary">${C("ottoeject.macro")}</span><span class="macro" title=${H.macro??""}>${H.macro??C("ottoeject.no_macro")}</span></div>
          <div class="secondary waiting-title">${C("ottoeject.waiting",{count:H.waiting.length})}</div>
          ${H.waiting.length?t`<ol>${H.waiting.map(L=>t`<li><span>${L.printer_name}</span><span class="chip ${h(L.phase)}">${C(`phase.${L.phase}`)}</span></li>`)}</ol>`:i}
        </div>
      `,`ottoeject-card-${H.id}`)}static{this.styles=[S,Z`
      .row {
        display: flex;
        min-width: 0;
        justify-content: space-between;
        gap: 12px;
        align-items: baseline;
      }
      .macro {
        font-family: var(--ha-font-family-code, monospace);
        font-size: 0.9em;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        min-width: 0;
        flex: 1;
        text-align: right;
      }
      .row > .secondary {
        flex: none;
      }
      .waiting-title {
        margin-top: 10px;
      }
      ol {
        margin: 6px 0 0;
        padding-left: 20px;
      }
      li {
        padding: 2px 0;
      }
      li > span:first-child {
        margin-right: 8px;
      }
    `]}};o([d({attribute:!1})],Y.prototype,"ottoeject",2),o([d({attribute:!1})],Y.prototype,"localize",2);u("ottoengine-ottoeject-card",Y);var P=class extends x{constructor(){super(...arguments);this.admin=!1}render(){let C=this.printer,V=this.localize,L=C.online?C.status:"OFFLINE",r=Math.max(0,Math.min(100,Math.round(C.progress??0))),e=C.job!==null||["RUNNING","PAUSED","PREPARING"].includes(L);return I(t`
        <div class="otto-header">
          <div class="avatar ${h(L,C.online)}">${m("mdi:printer-3d")}</div>
          <div class="title">
            <h2>${C.name}</h2>
            <div class="secondary">${C.model??""}</div>
          </div>
          <span class="chip ${h(L,C.online)}">${V(`printer_status.${L}`)}</span>
        </div>
        <div class="otto-content">
          ${C.attention?this.renderAttention(C):i}
          <div class="job">
            ${C.job?t`<ottoengine-thumbnail
                  .hass=${this.hass}
                  .printItemId=${C.job.print_item_id}
                  .label=${C.job.name}
                ></ottoengine-thumbnail>`:i}
            <div class="job-text">
              <div class="job-name">${C.job?C.job.name:V("printer.no_job")}</div>
              <div class="secondary">${C.stage??""}</div>
            </div>
          </div>
          ${e?t`<div class="progress-row">
                <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${r}>
                  <div style="width: ${r}%"></div>
                </div>
                <span class="percent"><span data-testid="progress-${C.id}">${r}</span>&nbsp;%</span>
              </div>
              <div class="times secondary">
                ${C.remaining_minutes!==null&&C.remaining_minutes!==void 0?t`<span>${m("mdi:clock-outline")} ${V("printer.remaining",{time:this.format.duration(C.remaining_minutes)})}</span>`:i}
                ${C.end_time?t`<span>${V("printer.ends_at",{time:this.format.time(C.end_time)})}</span>`:i}
              </div>`:t`<span hidden data-testid="progress-${C.id}">${r}</span>`}
          <div class="facts">
            <div class="fact">${m("mdi:printer-3d-nozzle")}<span>${this.format.temperature(C.nozzle_temperature,C.nozzle_target)}</span><label>${V("printer.nozzle")}</label></div>
            <div class="fact">${m("mdi:radiator")}<span>${this.format.temperature(C.bed_temperature,C.bed_target)}</span><label>${V("printer.bed")}</label></div>
            ${C.chamber_temperature!==null&&C.chamber_temperature!==void 0?t`<div class="fact">${m("mdi:thermometer")}<span>${this.format.temperature(C.chamber_temperature,null)}</span><label>${V("printer.chamber")}</label></div>`:i}
            <div class="fact">${m(C.plate_present?"mdi:tray-full":"mdi:tray")}<span>${V(C.plate_present===null||C.plate_present===void 0?"printer.plate_unknown":C.plate_present?"printer.plate_present":"printer.plate_absent")}</span><label>${V("printer.plate")}</label></div>
          </div>
          ${C.workflow?t`<div class="workflow">
                <span class="chip ${h(C.workflow.phase)}">${V(`phase.${C.workflow.phase}`)}</span>
                ${C.workflow.note?t`<span class="secondary">${C.workflow.note}</span>`:i}
              </div>`:i}
        </div>
      `,`printer-card-${C.id}`)}renderAttention(C){let V=C.attention;return t`<div class="attention" role="alert" data-testid="attention-${C.id}">
      <div class="reason">${m("mdi:alert-circle")}<div><strong>${this.localize("printer.attention")}</strong><div>${V.reason}</div></div></div>
      ${this.admin&&V.actions.length?t`<div class="actions">${V.actions.map(L=>this.renderAction(C,L))}</div>`:i}
    </div>`}renderAction(C,V){let L=V.action==="resume_workflow"?String(V.data.answer??""):"",r=L?`action-resume_workflow-${L}-${C.id}`:`action-${V.action}-${C.id}`,e=L?this.localize(`action.resume_workflow_${L}`):this.localize(`action.${V.action}`);return t`<button
      class="button ${L==="abort"?"danger":"primary"}"
      data-testid=${r}
      @click=${()=>b(this,V.action,V.data)}
    >${e}</button>`}static{this.styles=[S,Z`
      .job {
        display: flex;
        align-items: center;
        gap: 12px;
        min-height: 56px;
      }
      .job-text {
        min-width: 0;
        flex: 1;
      }
      .job-name {
        font-weight: 500;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .progress-row {
        display: flex;
        align-items: center;
        gap: 12px;
        margin-top: 12px;
      }
      .progress-row .progress {
        flex: 1;
      }
      .percent {
        font-weight: 500;
        font-variant-numeric: tabular-nums;
        min-width: 3.5em;
        text-align: right;
      }
      .times {
        display: flex;
        flex-wrap: wrap;
        justify-content: space-between;
        gap: 4px 12px;
        margin-top: 6px;
        --mdc-icon-size: 16px;
      }
      .facts {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(96px, 1fr));
        gap: 8px;
        margin-top: 14px;
        padding-top: 12px;
        border-top: 1px solid var(--divider-color);
      }
      .fact {
        display: grid;
        grid-template-columns: auto 1fr;
        column-gap: 6px;
        align-items: center;
        font-size: 0.9em;
        --mdc-icon-size: 18px;
        color: var(--primary-text-color);
      }
      .fact > :first-child {
        grid-row: span 2;
        color: var(--secondary-text-color);
      }
      .fact label {
        color: var(--secondary-text-color);
        font-size: 0.8em;
      }
      .workflow {
        display: flex;
        align-items: center;
        flex-wrap: wrap;
        gap: 8px;
        margin-top: 12px;
      }
      .attention {
        border-radius: 8px;
        padding: 10px 12px;
        margin-bottom: 12px;
        background: color-mix(in srgb, var(--warning-color, #ffa600) 14%, transparent);
        border: 1px solid color-mix(in srgb, var(--warning-color, #ffa600) 50%, transparent);
      }
      .reason {
        display: flex;
        gap: 8px;
        align-items: flex-start;
        --mdc-icon-size: 20px;
      }
      .reason > :first-child {
        color: var(--warning-color, #ffa600);
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        margin-top: 10px;
      }
    `]}};o([d({attribute:!1})],P.prototype,"hass",2),o([d({attribute:!1})],P.prototype,"printer",2),o([d({attribute:!1})],P.prototype,"localize",2),o([d({attribute:!1})],P.prototype,"format",2),o([d({type:Boolean})],P.prototype,"admin",2);u("ottoengine-printer-card",P);function G2(M){return Math.round(Math.max(36,Math.min(120,M)))}var W=class extends x{render(){let H=this.rack,C=this.localize,V=[...H.shelves].sort((r,e)=>e.number-r.number),L=H.shelves.filter(r=>r.state!=="empty").length;return I(t`
        <div class="otto-header">
          <div class="avatar">${m("mdi:layers")}</div>
          <div class="title">
            <h2>${C("rack.title",{name:H.name})}</h2>
            <div class="secondary">${C("rack.summary",{used:L,total:H.shelves.length,spacing:H.shelf_spacing_mm})}</div>
          </div>
        </div>
        <div class="otto-content">
          <div class="rack" style="--shelf-height: ${G2(H.shelf_spacing_mm)}px">
            ${V.map(r=>this.renderShelf(H,r))}
          </div>
        </div>
      `,`rack-${H.id}`)}renderShelf(H,C){let V=this.localize,L=C.reserved;return t`<div
      class="shelf ${C.state} ${L?"reserved":""}"
      data-testid="shelf-${H.id}-${C.number}"
      title=${V(`shelf_state.${C.state}`)}
    >
      <span class="number">${C.number}</span>
      <div class="slot">
        ${C.state==="completed_print"?t`<ottoengine-thumbnail .hass=${this.hass} .printItemId=${C.job?.print_item_id??null} .label=${C.job?.name??""}></ottoengine-thumbnail>
              <span class="name">${C.job?.name??V("shelf_state.completed_print")}</span>`:t`<span class="name secondary">${V(`shelf_state.${C.state}`)}</span>`}
        ${L?t`<span class="chip state-busy reserved-chip">${V(`shelf.reserved_${L.kind}`)}</span>`:i}
      </div>
    </div>`}static{this.styles=[S,Z`
      .rack {
        border: 3px solid var(--divider-color);
        border-top-width: 6px;
        border-radius: 6px;
        padding: 0 6px;
        background: var(--primary-background-color);
      }
      .shelf {
        height: var(--shelf-height);
        box-sizing: border-box;
        display: flex;
        align-items: flex-end;
        gap: 8px;
        border-bottom: 4px solid var(--secondary-text-color);
        padding: 4px 2px 4px 0;
        --otto-thumbnail-size: calc(var(--shelf-height) - 16px);
      }
      .number {
        width: 1.6em;
        text-align: center;
        font-size: 0.75em;
        color: var(--secondary-text-color);
        align-self: center;
        flex: none;
      }
      .slot {
        flex: 1;
        min-width: 0;
        height: 100%;
        display: flex;
        align-items: center;
        gap: 8px;
        border-radius: 4px;
        padding: 0 8px;
        box-sizing: border-box;
      }
      .empty_plate .slot {
        height: 10px;
        align-self: flex-end;
        background: var(--secondary-text-color);
        opacity: 0.55;
      }
      .empty_plate .slot .name {
        display: none;
      }
      .completed_print .slot {
        background: color-mix(in srgb, var(--success-color, #43a047) 16%, transparent);
        border-bottom: 6px solid var(--success-color, #43a047);
      }
      .name {
        font-size: 0.85em;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        flex: 1;
      }
      .reserved .slot {
        outline: 2px dashed var(--primary-color);
        outline-offset: -2px;
      }
      .reserved-chip {
        margin-left: auto;
      }
      .empty_plate.reserved .slot {
        height: 100%;
        opacity: 1;
        background: transparent;
        border-bottom: 10px solid color-mix(in srgb, var(--secondary-text-color) 55%, transparent);
      }
    `]}};o([d({attribute:!1})],W.prototype,"hass",2),o([d({attribute:!1})],W.prototype,"rack",2),o([d({attribute:!1})],W.prototype,"localize",2);u("ottoengine-rack-column",W);var s2="/api/print-jobs/upload",z=class extends Error{constructor(H,C){super(C),this.status=H}};function u2(M,H,C){let V=new XMLHttpRequest,L=!1;return{done:(async()=>{if(M.auth.expired&&await M.auth.refreshAccessToken(),L)throw new z(0,"aborted");return new Promise((e,a)=>{let A=M.hassUrl?M.hassUrl(s2):s2;V.open("POST",A),V.setRequestHeader("Authorization",`Bearer ${M.auth.data.access_token}`),V.responseType="text",V.upload.onprogress=v=>{v.lengthComputable&&v.total>0&&C(v.loaded/v.total)},V.onload=()=>{let v=Q2(V.responseText);if(V.status>=200&&V.status<300&&v&&"print_item_id"in v)C(1),e(v);else{let l=v&&typeof v.message=="string"?v.message:V.statusText;a(new z(V.status,l||`HTTP ${V.status}`))}},V.onerror=()=>a(new z(0,"network error")),V.onabort=()=>a(new z(0,"aborted"));let n=new FormData;n.append("file",H,H.name),V.send(n)})})(),abort:()=>{L=!0,V.abort()}}}function Q2(M){try{let H=JSON.parse(M);return H&&typeof H=="object"?H:null}catch{return null}}var c=class extends x{constructor(){super(...arguments);this.fileName=null;this.progress=null;this.item=null;this.error=null;this.copies=1;this.priority=1;this.busy=!1;this.picked=C=>{let V=C.target,L=V.files?.[0];if(V.value="",!L)return;this.handle?.abort(),this.fileName=L.name,this.item=null,this.error=null,this.progress=0;let r=u2(this.hass,L,e=>{this.handle===r&&(this.progress=e)});this.handle=r,r.done.then(e=>{this.handle===r&&(this.item=e,this.copies=1,this.priority=1)},e=>{this.handle===r&&(this.progress=null,this.error=this.localize("upload.failed",{message:a1(e)}))})};this.confirm=async()=>{if(!this.item||!this.valid())return;this.busy=!0;let C=await this.runAction("queue_job",{print_item_id:this.item.print_item_id,copies:this.copies,priority:this.priority});this.busy=!1,C&&this.reset()};this.reset=()=>{this.handle?.abort(),this.handle=void 0,this.fileName=null,this.progress=null,this.item=null,this.error=null}}disconnectedCallback(){super.disconnectedCallback(),this.handle?.abort()}render(){let C=this.localize;return t`<div class="upload">
      <div class="pick">
        <label class="button primary file">
          ${m("mdi:file-upload")}${C("upload.choose")}
          <input type="file" accept=".gcode,.3mf,.gcode.3mf" data-testid="upload-input" @change=${this.picked} />
        </label>
        <span class="secondary hint">${this.fileName??C("upload.hint")}</span>
      </div>
      ${this.progress!==null&&this.item===null?t`<div class="uploading" data-testid="upload-progress">
            <div class="progress" role="progressbar" aria-valuenow=${Math.round(this.progress*100)}>
              <div style="width: ${this.progress*100}%"></div>
            </div>
            <span class="secondary">${C("upload.progress",{percent:Math.round(this.progress*100)})}</span>
            <button class="icon-button" title=${C("upload.abort")} aria-label=${C("upload.abort")} @click=${this.reset}>${m("mdi:close")}</button>
          </div>`:i}
      ${this.error?t`<div class="error" role="alert">${m("mdi:alert-circle")}<span>${this.error}</span></div>`:i}
      ${this.item?this.renderEstimate(this.item):i}
    </div>`}renderEstimate(C){let V=this.localize,L="—";return t`<div class="estimate">
      <ottoengine-thumbnail .hass=${this.hass} .printItemId=${C.has_thumbnail===!1?null:C.print_item_id} .label=${C.filename}></ottoengine-thumbnail>
      <div class="summary" data-testid="upload-estimate">
        <div class="name">${C.filename}</div>
        <div class="facts secondary">
          <span>${m("mdi:clock-outline")} ${V("upload.time")}: ${C.estimated_print_time!==null&&C.estimated_print_time!==void 0?this.format.duration(C.estimated_print_time):L}</span>
          <span>${m("mdi:layers")} ${V("upload.layers")}: ${C.layer_count??L}</span>
          <span>${V("upload.filament")}: ${C.filament_used??L}</span>
          ${C.file_size?t`<span>${V("upload.size")}: ${C.file_size}</span>`:i}
        </div>
      </div>
      <div class="settings">
        <label><span class="secondary">${V("upload.copies")}</span>
          <input type="number" min="1" max="100" .value=${String(this.copies)} data-testid="upload-copies"
            @input=${r=>this.copies=Number(r.target.value)} /></label>
        <label><span class="secondary">${V("upload.priority")}</span>
          <input type="number" min="1" max="100" .value=${String(this.priority)} data-testid="upload-priority"
            @input=${r=>this.priority=Number(r.target.value)} /></label>
        <button class="button" @click=${this.reset}>${V("upload.discard")}</button>
        <button class="button primary" data-testid="upload-confirm" ?disabled=${this.busy||!this.valid()} @click=${this.confirm}>
          ${V("upload.confirm",{copies:this.copies})}
        </button>
      </div>
    </div>`}valid(){let C=V=>Number.isInteger(V)&&V>=1&&V<=100;return C(this.copies)&&C(this.priority)}static{this.styles=[S,Z`
      .upload {
        display: flex;
        flex-direction: column;
        gap: 12px;
      }
      .pick {
        display: flex;
        align-items: center;
        gap: 12px;
        flex-wrap: wrap;
      }
      .file {
        position: relative;
        overflow: hidden;
      }
      .file input {
        position: absolute;
        inset: 0;
        opacity: 0;
        cursor: pointer;
      }
      .hint {
        overflow: hidden;
        text-overflow: ellipsis;
        min-width: 0;
      }
      .uploading {
        display: flex;
        align-items: center;
        gap: 12px;
      }
      .uploading .progress {
        flex: 1;
      }
      .error {
        display: flex;
        gap: 8px;
        align-items: center;
        color: var(--error-color);
      }
      .estimate {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 12px;
        padding: 12px;
        border-radius: 8px;
        background: var(--primary-background-color);
      }
      .summary {
        flex: 1;
        min-width: 180px;
      }
      .name {
        font-weight: 500;
        word-break: break-all;
      }
      .facts {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 14px;
        margin-top: 4px;
        --mdc-icon-size: 16px;
      }
      .settings {
        display: flex;
        align-items: flex-end;
        gap: 10px;
        flex-wrap: wrap;
      }
      .settings label {
        display: flex;
        flex-direction: column;
        gap: 2px;
        font-size: 0.9em;
      }
    `]}};o([d({attribute:!1})],c.prototype,"hass",2),o([d({attribute:!1})],c.prototype,"localize",2),o([d({attribute:!1})],c.prototype,"format",2),o([d({attribute:!1})],c.prototype,"runAction",2),o([s()],c.prototype,"fileName",2),o([s()],c.prototype,"progress",2),o([s()],c.prototype,"item",2),o([s()],c.prototype,"error",2),o([s()],c.prototype,"copies",2),o([s()],c.prototype,"priority",2),o([s()],c.prototype,"busy",2);u("ottoengine-upload-dialog",c);var q2="ottoengine/panel/action",j2=8e3,g=class extends x{constructor(){super(...arguments);this.narrow=!1;this.strings=D;this.toast=null;this.revision=0;this.store=new o1(()=>this.revision++);this.localize=g1(D);this.runAction=async(C,V)=>{try{return await this.hass.callWS({type:q2,action:C,data:V}),!0}catch(L){return this.showToast(this.localize("error.action_failed",{message:a1(L)}),!0),!1}};this.onAction=C=>{C.stopPropagation(),this.runAction(C.detail.action,C.detail.data)}}connectedCallback(){super.connectedCallback(),this.addEventListener(t1,this.onAction),this.hass&&this.store.connect(this.hass)}disconnectedCallback(){super.disconnectedCallback(),this.removeEventListener(t1,this.onAction),this.store.disconnect(),window.clearTimeout(this.toastTimer)}willUpdate(C){if(C.has("hass")&&this.hass){this.isConnected&&this.store.connect(this.hass);let V=this.hass.locale?.language||this.hass.language||"en";V!==this.stringsLanguage&&(this.stringsLanguage=V,Z2(this.hass,V).then(L=>{this.stringsLanguage===V&&(this.strings=L)}))}C.has("strings")&&(this.localize=g1(this.strings)),(C.has("hass")||C.has("strings"))&&(this.format=new d1(this.hass,this.localize))}get admin(){let C=this.store.farm;return!!(C?C.is_admin:this.hass?.user?.is_admin)}showToast(C,V){this.toast={text:C,error:V},window.clearTimeout(this.toastTimer),this.toastTimer=window.setTimeout(()=>this.toast=null,j2)}render(){if(!this.hass||!this.format)return i;let C=this.localize,V=this.store.farm;return t`
      <div class="toolbar">
        ${this.narrow?v2(this.hass,this.narrow):i}
        <div class="main-title">${this.panel?.title||C("title")}</div>
        ${this.store.disconnected?t`<span class="chip state-warn">${m("mdi:lan-disconnect")}${C("connection.lost")}</span>`:i}
      </div>
      <div class="content">
        ${this.store.error?t`<div class="notice error" role="alert">${C("error.subscribe_failed",{message:this.store.error})}</div>`:V?this.renderFarm(V):t`<div class="notice">${C("loading")}</div>`}
      </div>
      ${this.toast?t`<div class="toast ${this.toast.error?"error":""}" role="alert">
            <span>${this.toast.text}</span>
            <button class="icon-button" aria-label=${C("close")} @click=${()=>this.toast=null}>${m("mdi:close")}</button>
          </div>`:i}
    `}renderFarm(C){let V=this.localize,L=this.admin,r=i1(C.printers),e=i1(C.ottoejects),a=i1(C.racks);return t`
      ${C.loaded?i:t`<div class="notice">${V("not_loaded")}</div>`}
      <ottoengine-figures-bar
        .figures=${C.figures}
        .processing=${C.processing}
        .localize=${V}
        .format=${this.format}
        ?admin=${L}
        ?loaded=${C.loaded}
      ></ottoengine-figures-bar>
      <div class="layout">
        <div class="devices">
          <section>
            <h3>${V("section.printers")}</h3>
            ${r.length?t`<div class="grid">
                  ${r.map(A=>t`<ottoengine-printer-card
                      .hass=${this.hass}
                      .printer=${A}
                      .localize=${V}
                      .format=${this.format}
                      ?admin=${L}
                    ></ottoengine-printer-card>`)}
                </div>`:t`<div class="empty">${V("empty.printers")}</div>`}
          </section>
          ${e.length?t`<section>
                <h3>${V("section.ottoejects")}</h3>
                <div class="grid">
                  ${e.map(A=>t`<ottoengine-ottoeject-card .ottoeject=${A} .localize=${V}></ottoengine-ottoeject-card>`)}
                </div>
              </section>`:i}
          <section class="queue-section">
            <h3>${V("section.queue")}</h3>
            <div class="panel-card">
              ${L?t`<ottoengine-upload-dialog
                    .hass=${this.hass}
                    .localize=${V}
                    .format=${this.format}
                    .runAction=${this.runAction}
                  ></ottoengine-upload-dialog>`:i}
              <ottoengine-job-queue
                .hass=${this.hass}
                .queue=${C.queue}
                .localize=${V}
                .format=${this.format}
                ?admin=${L}
              ></ottoengine-job-queue>
            </div>
          </section>
        </div>
        ${a.length?t`<section class="racks">
              <h3>${V("section.racks")}</h3>
              <div class="rack-list">
                ${a.map(A=>t`<ottoengine-rack-column .hass=${this.hass} .rack=${A} .localize=${V}></ottoengine-rack-column>`)}
              </div>
            </section>`:i}
      </div>
    `}static{this.styles=[S,Z`
      :host {
        display: block;
        min-height: 100vh;
        background: var(--primary-background-color);
      }
      .toolbar {
        display: flex;
        align-items: center;
        gap: 8px;
        height: var(--header-height, 56px);
        padding: 0 16px;
        box-sizing: border-box;
        background: var(--app-header-background-color, var(--primary-background-color));
        color: var(--app-header-text-color, var(--primary-text-color));
        border-bottom: var(--app-header-border-bottom, 1px solid var(--divider-color));
        position: sticky;
        top: 0;
        z-index: 2;
      }
      .main-title {
        flex: 1;
        font-size: 20px;
        font-weight: 400;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .content {
        padding: 16px;
        max-width: 1600px;
        margin: 0 auto;
        display: flex;
        flex-direction: column;
        gap: 16px;
      }
      .layout {
        display: grid;
        grid-template-columns: minmax(0, 1fr) minmax(260px, 340px);
        gap: 16px;
        align-items: start;
      }
      .devices {
        display: flex;
        flex-direction: column;
        gap: 16px;
        min-width: 0;
      }
      section h3 {
        margin: 4px 0 8px;
        font-size: 0.95em;
        font-weight: 500;
        color: var(--secondary-text-color);
        text-transform: uppercase;
        letter-spacing: 0.04em;
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(320px, 1fr));
        gap: 12px;
      }
      .panel-card {
        background: var(--ha-card-background, var(--card-background-color));
        border: var(--ha-card-border-width, 1px) solid var(--ha-card-border-color, var(--divider-color));
        border-radius: var(--otto-radius);
        padding: 16px;
        display: flex;
        flex-direction: column;
        gap: 12px;
      }
      .rack-list {
        display: flex;
        flex-direction: column;
        gap: 12px;
      }
      .notice {
        padding: 16px;
        border-radius: var(--otto-radius);
        background: var(--card-background-color);
        color: var(--secondary-text-color);
      }
      .notice.error {
        color: var(--error-color);
      }
      .toast {
        position: fixed;
        left: 50%;
        bottom: 24px;
        transform: translateX(-50%);
        max-width: min(560px, calc(100vw - 32px));
        display: flex;
        align-items: center;
        gap: 8px;
        padding: 6px 6px 6px 16px;
        border-radius: 8px;
        background: var(--primary-text-color);
        color: var(--primary-background-color);
        box-shadow: 0 4px 16px rgba(0, 0, 0, 0.3);
        z-index: 10;
      }
      .toast.error {
        background: var(--error-color);
        color: var(--text-primary-color, #fff);
      }
      .toast .icon-button {
        color: inherit;
      }
      @media (max-width: 1100px) {
        .layout {
          grid-template-columns: minmax(0, 1fr);
        }
        .rack-list {
          display: grid;
          grid-template-columns: repeat(auto-fill, minmax(260px, 1fr));
        }
      }
      @media (max-width: 600px) {
        .content {
          padding: 8px;
          gap: 12px;
        }
        .grid {
          grid-template-columns: minmax(0, 1fr);
        }
        .panel-card {
          padding: 12px;
        }
      }
    `]}};o([d({attribute:!1})],g.prototype,"hass",2),o([d({type:Boolean})],g.prototype,"narrow",2),o([d({attribute:!1})],g.prototype,"route",2),o([d({attribute:!1})],g.prototype,"panel",2),o([s()],g.prototype,"strings",2),o([s()],g.prototype,"toast",2),o([s()],g.prototype,"revision",2);u("ottoengine-farm-panel",g);export{q2 as ACTION_TYPE,g as OttoFarmPanel};
